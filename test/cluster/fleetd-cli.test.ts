import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FLEET_VERSION } from '@fleet/core';
import { FLEETD_BIN } from '@fleet/testkit';

const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [FLEETD_BIN, ...args], {
      env: { PATH: process.env['PATH'], ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('the fleetd binary', () => {
  it('prints its version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `fleetd version ${FLEET_VERSION}\n`, stderr: '' });
  });

  it('exits 2 on bad configuration, naming every bad field, before touching anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleetd-conf-'));
    const conf = join(dir, 'fleet.conf');
    await writeFile(conf, 'agent_ttl=soon\nmetadata=region\n');
    const r = await run(['--config', conf, '--docker-endpoint', 'ftp://nope'], { FLEET_ETCD_SERVERS: 'not a url', FLEET_STATE_DIR: join(dir, 'state') });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean).sort()).toEqual(
      [
        'fleetd: invalid configuration: agent_ttl: expected a duration such as 5s or 500ms, got "soon"',
        'fleetd: invalid configuration: docker_endpoint: must be unix:///path, tcp://host:port or http(s)://host:port',
        'fleetd: invalid configuration: etcd_servers: "not a url" is not an http(s)://host:port URL',
        'fleetd: invalid configuration: metadata: expected k=v,k2=v2, got "region"',
      ].sort(),
    );
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('exits 2 when the config file cannot be read', async () => {
    const r = await run(['--config', '/nonexistent/fleet.conf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fleetd: invalid configuration: cannot read config file \/nonexistent\/fleet.conf: /);
  });
});
