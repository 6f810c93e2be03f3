import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { type Cluster, eventually, fleetctl, loopUnit, startCluster, unitDir } from '@fleet/testkit';
import { holdsFor, logMark, logSince, runningHosts, scheduleOf } from './support.js';

/**
 * The reschedule-storm brake end to end (docs/reliability.md "No storms"): 2 of 3 machines'
 * fleetd vanish within one TTL (one SIGKILLed, one stopped with --keep-units), so the leader
 * holds their units in place for mass_loss_grace (20s here) and moves them only after it.
 */
const GRACE_MS = 20_000;

describe('mass machine loss', () => {
  let cluster: Cluster;
  let dir: string;
  const units = ['m1.service', 'm2.service', 'm3.service', 'm4.service', 'm5.service', 'm6.service'];

  beforeAll(async () => {
    cluster = await startCluster({
      machines: [0, 1, 2].map(() => ({ extraArgs: ['--keep-units', '--mass-loss-grace', `${GRACE_MS / 1000}s`] })),
      agentTtl: '2s',
    });
    dir = await unitDir(Object.fromEntries(units.map((u) => [u, loopUnit()])));
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('holds the lost machines’ units in place for the grace period, logging why, then moves them', async () => {
    expect((await fleetctl(cluster, ['start', ...units.map((u) => join(dir, u))])).code).toBe(0);
    const before = await eventually(
      async () => {
        const hosts = await runningHosts(cluster);
        return units.every((u) => hosts.get(u)?.length === 1) ? hosts : false;
      },
      { timeoutMs: 30_000, what: 'every unit to run once' },
    );
    const scheduleBefore = await scheduleOf(cluster);
    const leaderId = await eventually(async () => (await cluster.engineLeader()) ?? false, { what: 'an engine leader' });
    const survivor = cluster.machines.find((m) => m.machineId === leaderId)!;
    const [crashed, stopped] = cluster.machines.filter((m) => m !== survivor);
    const lost = units.filter((u) => before.get(u)![0] !== survivor.machineId);
    expect(lost.length).toBeGreaterThan(0);
    const mark = await logMark(survivor);

    // One fleetd crashes, the other is stopped keeping its units: both leases expire within one TTL.
    await Promise.all([crashed!.kill(), stopped!.stop()]);
    const holdLine = await eventually(
      async () => (await logSince(survivor, mark)).find((l) => l.msg.includes('machines (67%) vanished within 2s')) ?? false,
      { timeoutMs: 15_000, what: 'the leader to log the hold' },
    );
    expect(holdLine.msg).toBe(
      '2 of 3 machines (67%) vanished within 2s: holding their units in place for 20s instead of rescheduling them (likely an etcd or network problem)',
    );

    // During the grace period nothing moves: the schedule is as before, and the lost machines'
    // containers (their dockerd is alive) keep running, with no second copy on the survivor.
    await holdsFor(async () => {
      expect(await scheduleOf(cluster)).toEqual(scheduleBefore);
      expect(await runningHosts(cluster)).toEqual(before);
    }, holdLine.time + GRACE_MS - 2_000 - Date.now());

    // After it, the units of the machines still missing are rescheduled onto the survivor.
    await eventually(
      async () => {
        const schedule = await scheduleOf(cluster);
        const hosts = await runningHosts(cluster);
        return lost.every((u) => schedule.get(u)?.[0] === survivor.machineId && hosts.get(u)?.includes(survivor.machineId) === true);
      },
      { timeoutMs: 30_000, what: 'the lost units to run on the survivor after the grace period' },
    );
    const overLine = (await logSince(survivor, mark)).find((l) => l.msg.startsWith('grace period over'));
    expect(overLine?.msg).toBe('grace period over: rescheduling the units of 2 machines still missing');
    expect(overLine!.time - holdLine.time).toBeGreaterThanOrEqual(GRACE_MS);
    process.stdout.write(`mass loss: hold logged, units moved ${overLine!.time - holdLine.time} ms later (grace ${GRACE_MS} ms)\n`);
  }, 150_000);
});
