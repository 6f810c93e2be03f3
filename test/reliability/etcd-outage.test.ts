import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { type Cluster, eventually, fleetctl, loopUnit, startCluster, unitDir } from '@fleet/testkit';
import { CONTAINER_CHANGES, containers, holdsFor, logMark, logSince, scheduleOf } from './support.js';

/**
 * etcd down for every agent (docs/reliability.md "No storms"): killed for longer than agent_ttl,
 * then restarted with its data. Nobody can reschedule meanwhile and etcd refreshes every lease
 * when it comes back, so no container may stop, restart or move. agent_ttl 2s.
 */
describe('etcd stopped for longer than agent_ttl, then restarted', () => {
  let cluster: Cluster;
  let dir: string;
  const units = ['o1.service', 'o2.service', 'o3.service', 'o4.service', 'og.service'];

  beforeAll(async () => {
    cluster = await startCluster({ machines: 3, agentTtl: '2s' });
    dir = await unitDir({
      'o1.service': loopUnit(),
      'o2.service': loopUnit(),
      'o3.service': loopUnit(),
      'o4.service': loopUnit(),
      'og.service': loopUnit('[X-Fleet]\nGlobal=true'),
    });
  }, 120_000);
  afterAll(async () => {
    if (cluster?.etcd.process.hasExited()) await cluster.etcd.restart().catch(() => undefined);
    await cluster?.stop();
  }, 120_000);

  it('stops, restarts and moves nothing; the machines keep their registrations', async () => {
    expect((await fleetctl(cluster, ['start', ...units.map((u) => join(dir, u))])).code).toBe(0);
    const before = await eventually(
      async () => {
        const all = await containers(cluster);
        return all.length === 4 + 3 && all.every((c) => c.running) ? all : false;
      },
      { timeoutMs: 30_000, what: 'every unit to run' },
    );
    const scheduleBefore = await scheduleOf(cluster);
    const leasesBefore = new Map((await cluster.registry.listMachines()).map((m) => [m.machine.id, m.leaseId]));
    expect(leasesBefore.size).toBe(3);
    const marks = await Promise.all(cluster.machines.map((m) => logMark(m)));

    await cluster.etcd.kill();
    const killedAt = Date.now();
    // Each agent tells the outage from a partition: etcd refuses connections on every endpoint.
    await eventually(
      async () => {
        for (const [i, m] of cluster.machines.entries()) {
          const lines = await logSince(m, marks[i]);
          if (!lines.some((l) => l.msg === 'etcd is down everywhere: keeping containers running, starting nothing until it is back')) return false;
        }
        return true;
      },
      { timeoutMs: 20_000, what: 'every agent to hold its containers while etcd is down' },
    );
    const downMs = Date.now() - killedAt;
    expect(downMs).toBeGreaterThan(2_000);
    await cluster.etcd.restart();
    process.stdout.write(`etcd outage: down ${Date.now() - killedAt} ms (agent_ttl 2 s)\n`);

    // For three TTLs after etcd is back nothing may change: the leases it refreshed on restart
    // would expire after one TTL if the agents had not resumed them.
    await holdsFor(async () => {
      const machines = await cluster.registry.listMachines();
      expect(new Map(machines.map((m) => [m.machine.id, m.leaseId]))).toEqual(leasesBefore);
      expect(await scheduleOf(cluster)).toEqual(scheduleBefore);
      const now = await containers(cluster);
      expect(now.map((c) => [c.id, c.running, c.startedAtText])).toEqual(before.map((c) => [c.id, true, c.startedAtText]));
    }, 6_000);

    // The agents report their units again (their lease is alive and they act on it).
    await eventually(async () => (await cluster.registry.listStates()).filter((s) => s.state.activeState === 'active').length === 7, {
      what: 'every unit state to be active',
    });
    for (const [i, m] of cluster.machines.entries()) {
      const lines = await logSince(m, marks[i]);
      expect(lines.filter((l) => CONTAINER_CHANGES.includes(l.msg) || l.msg.startsWith('lease lost') || /scheduled unit/.test(l.msg))).toEqual([]);
    }
  }, 120_000);
});
