import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FLEET_VERSION } from '@fleet/core';
import { startEtcd } from '@fleet/testkit';
import { containerUnit, makeUnitDir } from './support/unit-dir.js';

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

  it('writes all of a long listing to a pipe whose reader is slow before it exits', async () => {
    const etcd = await startEtcd();
    const units = await makeUnitDir();
    try {
      await units.write('web@.service', containerUnit('Web %i'));
      const names = Array.from({ length: 2_000 }, (_, i) => units.path(`web@${i + 1}.service`));
      const env = { FLEETCTL_ENDPOINT: etcd.endpoint };
      expect((await spawnBin(['submit', ...names], env)).code).toBe(0);
      // ~90 KB into a pipe that holds 64 KB, read only after 0.5 s: the bin must wait for it.
      const reader = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} list-unit-files --no-legend | (sleep 0.5; wc -l)`;
      const { stdout } = await promisify(execFile)('sh', ['-c', reader], { env: { PATH: process.env['PATH'], ...env } });
      expect(stdout.trim()).toBe('2000');
    } finally {
      await units.remove();
      await etcd.stop();
    }
  });
});
