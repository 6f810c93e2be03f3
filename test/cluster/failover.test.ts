import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { type Cluster, eventually, fleetctl, loopUnit, startCluster, unitDir } from '@fleet/testkit';

/** Machine and leader death on real processes (agent_ttl 2s). */

async function hostOf(cluster: Cluster, unit: string): Promise<string | undefined> {
  for (const m of cluster.machines) {
    if (m.process.hasExited()) continue;
    const list = await m.docker.docker.listContainers({ filters: { label: [`fleet.unit=${unit}`, `fleet.machine=${m.machineId}`] } });
    if (list.length > 0) return m.machineId;
  }
  return undefined;
}

describe('failover on a real cluster', () => {
  let cluster: Cluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startCluster({ machines: 3, agentTtl: '2s' });
    dir = await unitDir({
      'a.service': loopUnit(),
      'b.service': loopUnit(),
      'c.service': loopUnit(),
      'late.service': loopUnit(),
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('moves the units of a dead host (fleetd and dockerd SIGKILLed) to the others within TTL + a few seconds', async () => {
    const names = ['a.service', 'b.service', 'c.service'];
    expect((await fleetctl(cluster, ['start', ...names.map((n) => join(dir, n))])).code).toBe(0);
    const before = new Map<string, string>();
    for (const n of names) before.set(n, (await eventually(() => hostOf(cluster, n), { what: `${n} to run` }))!);
    const victim = cluster.machines.find((m) => m.machineId === before.get('a.service'))!;
    const moved = names.filter((n) => before.get(n) === victim.machineId);
    await victim.killHost();
    for (const n of moved) {
      const host = await eventually(
        async () => {
          const h = await hostOf(cluster, n);
          return h !== undefined && h !== victim.machineId ? h : false;
        },
        // agent_ttl (2 s) + a few seconds, with room for a loaded CI box; bench/ measures the real figure.
        { timeoutMs: 20_000, intervalMs: 100, what: `${n} to run elsewhere` },
      );
      expect(host).not.toBe(victim.machineId);
    }
    // Units on surviving machines never moved.
    for (const n of names.filter((x) => !moved.includes(x))) expect(await hostOf(cluster, n)).toBe(before.get(n));
  }, 90_000);

  it('a standby engine takes over when the leader is SIGKILLed and schedules new units', async () => {
    const alive = cluster.machines.filter((m) => !m.process.hasExited());
    const leaderId = await eventually(async () => (await cluster.engineLeader()) ?? false, { what: 'an engine leader' });
    const leader = alive.find((m) => m.machineId === leaderId);
    expect(leader).toBeDefined();
    await leader!.kill();
    await eventually(
      async () => {
        const now = await cluster.engineLeader();
        return now !== undefined && now !== leaderId;
      },
      { timeoutMs: 20_000, what: 'a new engine leader' },
    );
    const r = await fleetctl(cluster, ['start', '--block-attempts=10', join(dir, 'late.service')]);
    expect(r.code).toBe(0);
    const host = await eventually(() => hostOf(cluster, 'late.service'), { what: 'late.service to run' });
    expect(host).not.toBe(leaderId);
  }, 90_000);
});
