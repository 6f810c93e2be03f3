import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Cluster, eventually, fleetctl, loopUnit, startCluster, unitDir } from '@fleet/testkit';
import { containersOf, oneRunning } from './support.js';

/** A unit's life on real machines: start, stop, unload, destroy, replace, fleetd restart. */

describe('unit lifecycle on a real cluster', () => {
  let cluster: Cluster;
  let dir: string;
  beforeAll(async () => {
    // The default agent_ttl: a fleetd restart must adopt its lease before it expires, which a
    // loaded CI box may not manage within the fast 2 s the other cluster tests use.
    cluster = await startCluster({ machines: 3, agentTtl: '5s' });
    const crash = (restart: string) => `[Container]
Image=fleet-test/busybox:1
Exec=/bin/sh -c "echo boom; exit 3"
Pull=never

[Service]
Restart=${restart}
RestartSec=200ms
`;
    dir = await unitDir({
      'life.service': loopUnit(),
      'crash-retry.service': crash('on-failure'),
      'crash-once.service': crash('no'),
      'noimage.service': '[Container]\nImage=fleet-test/not-there:1\nPull=never\n',
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('start runs a container with fleet labels; stop, unload and destroy take it down step by step', async () => {
    const start = await fleetctl(cluster, ['start', join(dir, 'life.service')]);
    expect(start.code).toBe(0);
    const { machine, info } = await oneRunning(cluster, 'life.service');
    expect(start.stdout).toContain(`Unit life.service launched on ${machine.shortId}.../127.0.0.${machine.index + 2}`);
    const units = await cluster.registry.listUnits();
    const hash = units.find((u) => u.unit.name === 'life.service')!.unit.hash;
    expect(info.Labels).toMatchObject({ 'fleet.unit': 'life.service', 'fleet.hash': hash, 'fleet.machine': machine.machineId });
    const logs = await machine.docker.docker.getContainer(info.Id).logs({ stdout: true, tail: 5 });
    expect(logs.toString()).toContain('Hello life.service');

    expect((await fleetctl(cluster, ['stop', 'life.service'])).code).toBe(0);
    await eventually(async () => (await containersOf(cluster, 'life.service'))[0]?.info.State === 'exited', {
      what: 'container to be stopped',
    });
    const stopped = await cluster.registry.listStates('life.service');
    expect(stopped.map((s) => `${s.state.activeState}/${s.state.subState}`)).toEqual(['inactive/dead']);

    expect((await fleetctl(cluster, ['unload', 'life.service'])).code).toBe(0);
    await eventually(async () => (await containersOf(cluster, 'life.service')).length === 0, { what: 'container to be removed' });
    await eventually(async () => (await cluster.registry.listStates('life.service')).length === 0, { what: 'state to be deleted' });

    expect((await fleetctl(cluster, ['start', 'life.service'])).code).toBe(0);
    await oneRunning(cluster, 'life.service');
    const destroy = await fleetctl(cluster, ['destroy', 'life.service']);
    expect(destroy.stdout).toBe('Destroyed life.service\n');
    await eventually(async () => (await containersOf(cluster, 'life.service')).length === 0, { what: 'container to be removed' });
    expect(await cluster.registry.getUnit('life.service')).toBeUndefined();
  }, 90_000);

  it('a changed unit file (start --replace) replaces the container', async () => {
    const file = join(dir, 'life.service');
    await writeFile(file, loopUnit('', 'version one'));
    expect((await fleetctl(cluster, ['start', file])).code).toBe(0);
    const first = await oneRunning(cluster, 'life.service');
    await writeFile(file, loopUnit('', 'version two'));
    expect((await fleetctl(cluster, ['start', '--replace', file])).code).toBe(0);
    const second = await eventually(
      async () => {
        const c = await oneRunning(cluster, 'life.service');
        return c.info.Id !== first.info.Id ? c : false;
      },
      { timeoutMs: 30_000, what: 'a new container for the new contents' },
    );
    expect(second.info.Labels['fleet.hash']).not.toBe(first.info.Labels['fleet.hash']);
    const logs = await second.machine.docker.docker.getContainer(second.info.Id).logs({ stdout: true, tail: 5 });
    expect(logs.toString()).toContain('version two');
    expect((await fleetctl(cluster, ['cat', 'life.service'])).stdout).toContain('version two');
    await fleetctl(cluster, ['destroy', 'life.service']);
  }, 90_000);

  it('Restart=on-failure restarts a crashing container with backoff; Restart=no leaves it failed, also across a fleetd restart', async () => {
    expect((await fleetctl(cluster, ['start', '--no-block', join(dir, 'crash-retry.service'), join(dir, 'crash-once.service')])).code).toBe(0);
    const retried = await eventually(
      async () => {
        const [s] = await cluster.registry.listStates('crash-retry.service');
        return s !== undefined && (s.state.restartCount ?? 0) >= 3 ? s.state : false;
      },
      { timeoutMs: 30_000, what: 'crash-retry.service to be restarted 3 times' },
    );
    expect(retried.exitCode === undefined || retried.exitCode === 3).toBe(true);
    const once = await eventually(
      async () => {
        const [s] = await cluster.registry.listStates('crash-once.service');
        return s !== undefined && s.state.activeState === 'failed' ? s.state : false;
      },
      { what: 'crash-once.service to be reported failed' },
    );
    expect(once).toMatchObject({ loadState: 'loaded', activeState: 'failed', subState: 'failed', exitCode: 3, restartCount: 0 });
    const host = cluster.machines.find((m) => m.machineId === once.machineId)!;
    const [container] = await containersOf(cluster, 'crash-once.service');
    const startedAt = (await host.docker.docker.getContainer(container!.info.Id).inspect()).State.StartedAt;
    const [published] = await cluster.registry.listStates('crash-once.service');
    await host.kill();
    host.restart();
    await eventually(async () => (await cluster.registry.listMachines()).some((m) => m.machine.id === host.machineId), { what: 'restarted machine' });
    // The restarted agent republishes its states at the end of its first pass, after acting:
    // once the record is rewritten, that pass is over and the failed container must still be down.
    const after = await eventually(
      async () => {
        const [s] = await cluster.registry.listStates('crash-once.service');
        return s !== undefined && BigInt(s.modRevision) > BigInt(published!.modRevision) ? s : false;
      },
      { what: 'the restarted agent to republish the state' },
    );
    expect(after.state.activeState).toBe('failed');
    const inspect = await host.docker.docker.getContainer(container!.info.Id).inspect();
    expect(inspect.State.Status).toBe('exited');
    expect(inspect.State.StartedAt).toBe(startedAt);
    await fleetctl(cluster, ['destroy', 'crash-retry.service', 'crash-once.service']);
  }, 90_000);

  it('a missing image becomes a failed state carrying Docker\'s message, not a crash or a hot loop', async () => {
    expect((await fleetctl(cluster, ['start', '--no-block', join(dir, 'noimage.service')])).code).toBe(0);
    const failed = await eventually(
      async () => {
        const [s] = await cluster.registry.listStates('noimage.service');
        return s !== undefined && s.state.activeState === 'failed' ? s.state : false;
      },
      { what: 'noimage.service to be reported failed' },
    );
    expect(failed.subState).toBe('failed');
    expect(failed.error).toContain('fleet-test/not-there:1');
    expect(cluster.machines.every((m) => !m.process.hasExited())).toBe(true);
    await fleetctl(cluster, ['destroy', 'noimage.service']);
  }, 60_000);
});
