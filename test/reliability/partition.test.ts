import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { type Cluster, eventually, fleetctl, loopUnit, type Partition, partitionFromEtcd, startCluster, unitDir } from '@fleet/testkit';
import { containers, logMark, logSince, loopbackBase, runningHosts, scheduleOf } from './support.js';

/**
 * One machine cut off from etcd (its packets to etcd dropped; etcd and the others fine): etcd
 * expires its lease, the engine moves its units, and the cut-off agent must have stopped its
 * copies by then (docs/reliability.md "At most one copy"). agent_ttl 2s.
 */

/** The bound docs/reliability.md states for the double-run window here (a unit that exits on SIGTERM, a loaded 2-core box). */
const DOUBLE_RUN_BOUND_MS = 2_000;

describe('a partitioned machine fences itself', () => {
  let cluster: Cluster;
  let dir: string;
  let partition: Partition | undefined;
  const units = ['p1.service', 'p2.service', 'p3.service', 'p4.service', 'p5.service', 'p6.service'];

  beforeAll(async () => {
    const base = loopbackBase();
    cluster = await startCluster({
      machines: [0, 1, 2].map((i) => ({ etcdAddress: `${base}${i + 2}` })),
      agentTtl: '2s',
    });
    const files: Record<string, string> = { 'pg.service': loopUnit('[X-Fleet]\nGlobal=true') };
    for (const u of units) files[u] = loopUnit();
    dir = await unitDir(files);
  }, 120_000);
  afterAll(async () => {
    await partition?.heal();
    await cluster?.stop();
  }, 120_000);

  it('stops its copies before the engine starts them elsewhere, and after healing runs nothing it should not', async () => {
    const start = await fleetctl(cluster, ['start', ...[...units, 'pg.service'].map((u) => join(dir, u))]);
    expect(start.code).toBe(0);
    const before = await eventually(
      async () => {
        const hosts = await runningHosts(cluster);
        return units.every((u) => hosts.get(u)?.length === 1) && hosts.get('pg.service')?.length === 3 ? hosts : false;
      },
      { timeoutMs: 30_000, what: 'every unit to run once and the global unit everywhere' },
    );
    const leader = await eventually(async () => (await cluster.engineLeader()) ?? false, { what: 'an engine leader' });
    // Cut off a machine that is not the engine leader and runs units: its units must move.
    const victim = cluster.machines
      .filter((m) => m.machineId !== leader)
      .sort((a, b) => units.filter((u) => before.get(u)![0] === b.machineId).length - units.filter((u) => before.get(u)![0] === a.machineId).length)[0]!;
    const moved = units.filter((u) => before.get(u)![0] === victim.machineId);
    expect(moved.length).toBeGreaterThan(0);
    const oldCopies = (await containers(cluster)).filter((c) => c.machine === victim && c.running);
    const globalBefore = oldCopies.find((c) => c.unit === 'pg.service')!;
    const mark = await logMark(victim);

    partition = await partitionFromEtcd(victim, cluster.etcdMembers);
    const cutAt = Date.now();
    // The engine moves them once etcd expires the victim's lease (about 2 s)...
    const after = await eventually(
      async () => {
        const hosts = await runningHosts(cluster);
        return moved.every((u) => (hosts.get(u) ?? []).some((m) => m !== victim.machineId)) ? hosts : false;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the cut-off machine’s units to run elsewhere' },
    );
    const movedAt = Date.now();
    // ...and by then the victim has stopped its copies (the fence), but not the global unit.
    const fenced = await eventually(
      async () => {
        const all = await containers(cluster);
        const old = all.filter((c) => c.machine === victim && moved.includes(c.unit));
        return old.every((c) => !c.running) ? all : false;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'the cut-off machine to stop its copies' },
    );
    const fenceLog = (await logSince(victim, mark)).filter((l) => l.msg.startsWith('lease lost ('));
    expect(fenceLog).toHaveLength(1);
    expect(fenceLog[0]!.msg).toBe(`lease lost (no keepalive answered within the 2s TTL): stopping ${moved.length} non-global containers before etcd can expire the lease`);

    // The double-run window per moved unit: how long the old and the new copy both ran.
    const windows = moved.map((u) => {
      const old = fenced.find((c) => c.machine === victim && c.unit === u)!;
      const fresh = fenced.find((c) => c.machine !== victim && c.unit === u && c.running)!;
      return { unit: u, overlapMs: old.finishedAt - fresh.startedAt, fenceAfterCutMs: old.finishedAt - cutAt };
    });
    process.stdout.write(
      `partition: ${moved.length} units moved ${movedAt - cutAt} ms after the cut; ` +
        windows.map((w) => `${w.unit} old copy stopped ${w.fenceAfterCutMs} ms after the cut, overlap ${w.overlapMs} ms`).join('; ') +
        '\n',
    );
    for (const w of windows) expect(w.overlapMs).toBeLessThan(DOUBLE_RUN_BOUND_MS);
    const global = fenced.find((c) => c.machine === victim && c.unit === 'pg.service')!;
    expect(global).toMatchObject({ id: globalBefore.id, running: true, startedAtText: globalBefore.startedAtText });
    // Units of the other machines never moved.
    for (const u of units.filter((x) => !moved.includes(x))) expect(after.get(u)).toEqual(before.get(u));

    await partition.heal();
    // Back: it registers again, removes the copies that moved away, starts nothing it should not.
    await eventually(async () => (await cluster.registry.listMachines()).some((m) => m.machine.id === victim.machineId), {
      timeoutMs: 30_000,
      what: 'the healed machine to register again',
    });
    await eventually(
      async () => (await containers(cluster)).filter((c) => c.machine === victim && moved.includes(c.unit)).length === 0,
      { timeoutMs: 20_000, what: 'the healed machine to remove the units that moved away' },
    );
    const schedule = await scheduleOf(cluster);
    const hosts = await runningHosts(cluster);
    for (const u of units) {
      expect(schedule.get(u)).toHaveLength(1);
      expect(hosts.get(u)).toEqual(schedule.get(u));
    }
    expect(hosts.get('pg.service')).toHaveLength(3);
    const restarted = (await logSince(victim, mark)).filter((l) => l.msg === 'started container' && moved.includes(String(l['unit'])));
    expect(restarted).toEqual([]);
  }, 120_000);
});
