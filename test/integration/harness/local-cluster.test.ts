import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { noopLogger } from '@fleet/core';
import { createEtcdClient, EtcdRegistry } from '@fleet/registry';
import {
  bridgeExists,
  dockerdProcesses,
  isAlive,
  mountsUnder,
  parseStat,
  readState,
  recordedProcesses,
  remainingCgroups,
  statePath,
  type LocalClusterState,
} from '@fleet/testkit';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(REPO, 'packages/testkit/bin/fleet-local-cluster.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real command, as `npm run cluster:*` does, against a private state dir. */
function localCluster(command: string, dir: string): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, command],
      { cwd: REPO, env: { ...process.env, FLEET_LOCAL_CLUSTER_DIR: dir }, timeout: 170_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}

async function liveOnes(state: LocalClusterState) {
  const records = recordedProcesses(state);
  const alive = await Promise.all(records.map((r) => isAlive(r)));
  return records.filter((_, i) => alive[i]).map((r) => r.name);
}

describe('the local cluster command', () => {
  let dir: string;
  let state: LocalClusterState;
  let up: Run;

  beforeAll(async () => {
    if (!existsSync(join(REPO, 'packages/testkit/dist/local-cluster.js'))) throw new Error('build first: npx tsc -b');
    dir = await mkdtemp(join(tmpdir(), 'fleet-local-'));
    up = await localCluster('up', dir);
    const recorded = await readState(dir);
    if (recorded === undefined) throw new Error(`up left no state:\n${up.stdout}\n${up.stderr}`);
    state = recorded;
  }, 180_000);

  afterAll(async () => {
    // Safety net when an assertion failed before `down` ran.
    if (dir === undefined) return;
    if (existsSync(statePath(dir))) await localCluster('down', dir);
    await rm(dir, { recursive: true, force: true });
  }, 180_000);

  it('brings up etcd, three dockerd and three fleetd that outlive the command', async () => {
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(state.phase).toBe('up');
    expect(state.cluster.dockerds).toHaveLength(3);
    expect(state.cluster.machines).toHaveLength(3);
    expect(new Set(state.cluster.machines.map((m) => m.machineId)).size).toBe(3);
    expect(await isAlive(state.upProcess)).toBe(false);
    expect(await liveOnes(state)).toEqual(recordedProcesses(state).map((r) => r.name));
    expect(up.stdout).toContain(`export FLEETCTL_ENDPOINT=${state.cluster.etcd!.endpoint}\n`);
  });

  it('registers three machines with distinct metadata, shown by fleetctl list-machines', async () => {
    const client = createEtcdClient({ endpoints: [state.cluster.etcd!.endpoint] });
    try {
      const registry = new EtcdRegistry({ client, logger: noopLogger, prefix: state.cluster.prefix });
      const machines = await registry.listMachines();
      expect(machines.map((m) => m.machine.id).sort()).toEqual(state.cluster.machines.map((m) => m.machineId).sort());
      expect(machines.map((m) => m.machine.metadata['hostname']).sort()).toEqual(['local1', 'local2', 'local3']);
    } finally {
      client.close();
    }
    const listing = up.stdout.slice(up.stdout.indexOf('$ fleetctl list-machines'), up.stdout.indexOf('$ fleetctl list-units'));
    for (const m of state.cluster.machines) {
      expect(listing).toContain(`${m.machineId.slice(0, 8)}...\t${m.publicIp}\thostname=${m.name},region=`);
    }
  });

  it('runs hello.service in exactly one container, listed by fleetctl list-units', async () => {
    const running = await Promise.all(
      state.cluster.dockerds.map(async (d) => {
        const docker = new Docker({ socketPath: d.socketPath });
        const containers = await docker.listContainers({ filters: { label: ['fleet.unit=hello.service'] } });
        return containers.map((c) => ({ machine: c.Labels['fleet.machine'], state: c.State }));
      }),
    );
    const all = running.flat();
    expect(all).toHaveLength(1);
    expect(all[0]!.state).toBe('running');
    const host = state.cluster.machines.find((m) => m.machineId === all[0]!.machine)!;
    expect(up.stdout).toMatch(new RegExp(`hello\\.service\\t${host.machineId.slice(0, 8)}\\.\\.\\./${host.publicIp.replace(/\./g, '\\.')}\\tactive\\trunning`));
  });

  it('refuses a second up while the cluster runs', async () => {
    const again = await localCluster('up', dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('A local cluster is already up');
    expect(await readState(dir)).toEqual(state);
  }, 30_000);

  it('down removes every process, bridge, mount, cgroup and dir up made; a second down does nothing', async () => {
    const down = await localCluster('down', dir);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(await liveOnes(state)).toEqual([]);
    for (const d of state.cluster.dockerds) {
      expect((await dockerdProcesses(d)).map((p) => p.cmdline.join(' '))).toEqual([]);
      expect(await mountsUnder(d.rootDir)).toEqual([]);
      expect(await bridgeExists(d.bridge.name)).toBe(false);
      expect(await remainingCgroups(d)).toEqual([]);
      expect(existsSync(d.rootDir)).toBe(false);
    }
    expect(existsSync(state.cluster.etcd!.dataDir)).toBe(false);
    expect(existsSync(statePath(dir))).toBe(false);
    expect(existsSync(join(dir, 'machines'))).toBe(false);
    expect((await readdir(join(dir, 'logs'))).sort()).toEqual([
      'dockerd-local1.log', 'dockerd-local2.log', 'dockerd-local3.log',
      'etcd.log',
      'fleetd-local1.log', 'fleetd-local2.log', 'fleetd-local3.log',
    ]);

    const again = await localCluster('down', dir);
    expect(again).toEqual({ code: 0, stdout: `No local cluster is up (no state in ${dir}).\n`, stderr: '' });
  }, 120_000);

  it('down never signals a recorded pid that now belongs to another process', async () => {
    const other = await mkdtemp(join(tmpdir(), 'fleet-local-'));
    const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      const pid = bystander.pid!;
      const startTime = parseStat(pid, await readFile(`/proc/${pid}/stat`, 'utf8'), '')!.startTime;
      const stale: LocalClusterState = {
        ...state,
        upProcess: { ...state.upProcess, startTime: '1' },
        cluster: {
          dir: other,
          prefix: state.cluster.prefix,
          dockerds: [],
          machines: [{ ...state.cluster.machines[0]!, stateDir: join(other, 'machines/local1'), process: { name: 'fleetd-local1', pid, startTime: `${Number(startTime) - 1}`, logFile: '' } }],
        },
      };
      await writeFile(statePath(other), JSON.stringify(stale));
      const down = await localCluster('down', other);
      expect(down.code).toBe(0);
      expect(await isAlive({ pid, startTime })).toBe(true);
      expect(existsSync(statePath(other))).toBe(false);
    } finally {
      bystander.kill('SIGKILL');
      await rm(other, { recursive: true, force: true });
    }
  }, 60_000);
});
