import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, here.split(sep).includes('dist') ? '../../..' : '../..');

/** The fleetctl a user runs (packages/cli/bin/fleetctl.js, which loads the built dist/). */
export const FLEETCTL_BIN = resolve(root, 'packages/cli/bin/fleetctl.js');
