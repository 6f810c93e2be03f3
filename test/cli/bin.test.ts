import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FLEET_VERSION } from '@fleet/core';

/** The compiled bin (built by `npx tsc -b`, which CI runs before the tests). */
const BIN = fileURLToPath(new URL('../../packages/cli/bin/fleetctl.js', import.meta.url));

async function spawnBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { PATH: process.env['PATH'], ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the fleetctl bin', () => {
  it('prints help and exits 0', async () => {
    const result = await spawnBin(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME:\n\tfleetctl - /);
    expect(result.stderr).toBe('');
  });

  it('prints its version', async () => {
    expect(await spawnBin(['version'])).toEqual({ code: 0, stdout: `fleetctl version ${FLEET_VERSION}\n`, stderr: '' });
  });

  it('sets the exit code, and exits (no handle left open) after failing to reach etcd', async () => {
    const result = await spawnBin(['list-machines'], { FLEETCTL_ENDPOINT: 'http://127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('Error: cannot reach etcd at http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n');
  });
});
