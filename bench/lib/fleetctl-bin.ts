import { execFile } from 'node:child_process';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, here.split(sep).includes('dist') ? '../../..' : '../..');

/** The fleetctl a user runs (packages/cli/bin/fleetctl.js, which loads the bundle or dist/). */
export const FLEETCTL_BIN = resolve(root, 'packages/cli/bin/fleetctl.js');

/**
 * Makes fleetctl's bundle as `npm run build` does (the bin falls back to the unbundled modules
 * when the bundle is older than the compiled packages, e.g. after a bare `tsc -b`), so the
 * benchmarks time what a built checkout runs. Returns the bundler's line.
 */
export async function buildFleetctlBundle(): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [resolve(root, 'packages/cli/scripts/bundle.js')], { cwd: root });
  return stdout.trim();
}
