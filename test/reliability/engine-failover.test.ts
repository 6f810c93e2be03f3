import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { type Cluster, eventually, fleetctl, loopUnit, startCluster, unitDir } from '@fleet/testkit';
import { logMark, logSince, runningHosts, scheduleOf } from './support.js';

/**
 * Engine failover (docs/reliability.md "Engine failover"): a frozen leader is replaced within
 * about a TTL and cannot write when it wakes; a killed leader loses no decision. agent_ttl 2s.
 */

/** Every unit scheduled on exactly one live machine and running there, and nowhere else. */
async function eachRunsOnce(cluster: Cluster, units: readonly string[], live: ReadonlySet<string>): Promise<boolean> {
  const schedule = await scheduleOf(cluster);
  const hosts = await runningHosts(cluster);
  return units.every((u) => {
    const on = schedule.get(u) ?? [];
    return on.length === 1 && live.has(on[0]!) && JSON.stringify(hosts.get(u)) === JSON.stringify(on);
  });
}

const ENGINE_WRITES = ['scheduled unit', 'unscheduled unit', 'unit cannot be placed'];

describe('engine failover on a real cluster', () => {
  let cluster: Cluster;
  let dir: string;
  const first = ['f1.service', 'f2.service', 'f3.service'];
  const during = ['n1.service', 'n2.service'];
  const burst = ['k1.service', 'k2.service', 'k3.service', 'k4.service', 'k5.service', 'k6.service'];

  beforeAll(async () => {
    cluster = await startCluster({ machines: 3, agentTtl: '2s' });
    dir = await unitDir(Object.fromEntries([...first, ...during, ...burst].map((u) => [u, loopUnit()])));
  }, 120_000);
  afterAll(async () => {
    for (const m of cluster?.machines ?? []) m.process.signal('SIGCONT');
    await cluster?.stop();
  }, 120_000);

  it('a frozen leader is replaced, and when it wakes it writes nothing and no unit runs twice', async () => {
    expect((await fleetctl(cluster, ['start', ...first.map((u) => join(dir, u))])).code).toBe(0);
    const all = new Set(cluster.machines.map((m) => m.machineId));
    await eventually(() => eachRunsOnce(cluster, first, all), { timeoutMs: 30_000, what: 'the first units to run once' });
    const leaderId = await eventually(async () => (await cluster.engineLeader()) ?? false, { what: 'an engine leader' });
    const frozen = cluster.machines.find((m) => m.machineId === leaderId)!;
    const mark = await logMark(frozen);

    frozen.process.signal('SIGSTOP');
    const frozenAt = Date.now();
    let thawed = false;
    try {
      const next = await eventually(
        async () => {
          const now = await cluster.engineLeader();
          return now !== undefined && now !== leaderId ? now : false;
        },
        { timeoutMs: 20_000, what: 'a standby to take over' },
      );
      const tookOverMs = Date.now() - frozenAt;
      // The new leader schedules new work, on the machines that are alive.
      const start = await fleetctl(cluster, ['start', ...during.map((u) => join(dir, u))]);
      expect(start.code).toBe(0);
      const others = new Set([...all].filter((id) => id !== leaderId));
      for (const u of during) expect(others.has((await scheduleOf(cluster)).get(u)![0]!)).toBe(true);
      process.stdout.write(`engine freeze: ${next.slice(0, 8)} took over from the frozen leader ${tookOverMs} ms after SIGSTOP\n`);
      const scheduleBeforeWake = await scheduleOf(cluster);

      frozen.process.signal('SIGCONT');
      thawed = true;
      // On waking it notices at once that its leadership is over, and its agent fences itself.
      const lostLine = await eventually(
        async () => (await logSince(frozen, mark)).find((l) => l.msg === 'lost engine leadership') ?? false,
        { what: 'the ex-leader to notice it lost leadership' },
      );
      expect(['leadership not confirmed within the TTL', 'our election key is gone']).toContain(lostLine['reason']);
      await eventually(() => eachRunsOnce(cluster, [...first, ...during], all), {
        timeoutMs: 30_000,
        what: 'every unit to run exactly once after the ex-leader woke',
      });
      const lines = await logSince(frozen, mark);
      // Anything it logged with a time after the freeze, it did after waking: no engine write.
      expect(lines.filter((l) => ENGINE_WRITES.includes(l.msg) && l.time >= frozenAt)).toEqual([]);
      // What the ex-leader saw before freezing, it did not write after waking: the schedule only
      // changed by the new leader moving the ex-leader's units, never back onto it.
      const after = await scheduleOf(cluster);
      for (const u of during) expect(after.get(u)).toEqual(scheduleBeforeWake.get(u));
    } finally {
      if (!thawed) frozen.process.signal('SIGCONT');
    }
  }, 120_000);

  it('a killed leader loses no decision: units started just before are all scheduled exactly once', async () => {
    const leaderId = await eventually(async () => (await cluster.engineLeader()) ?? false, { what: 'an engine leader' });
    const leader = cluster.machines.find((m) => m.machineId === leaderId)!;
    const start = await fleetctl(cluster, ['start', '--no-block', ...burst.map((u) => join(dir, u))]);
    expect(start.code).toBe(0);
    // Host death right after the request: whatever it had decided or not, nothing may be lost.
    await leader.killHost();
    const live = new Set(cluster.machines.filter((m) => m !== leader).map((m) => m.machineId));
    await eventually(() => eachRunsOnce(cluster, [...first, ...during, ...burst], live), {
      timeoutMs: 40_000,
      what: 'every unit to run exactly once on the surviving machines',
    });
  }, 120_000);
});
