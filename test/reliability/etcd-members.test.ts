import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { type Cluster, eventually, fleetctl, type FleetctlResult, loopUnit, startCluster, unitDir } from '@fleet/testkit';
import { containers, logMark, logSince } from './support.js';

/**
 * A 3-member etcd (docs/reliability.md "etcd cluster"): every fleetd and fleetctl is given all
 * three endpoints. Each member is killed in turn, the raft leader first, and restarted, while
 * fleetctl reads and writes in a loop: no command may fail and no container may restart.
 */
describe('a 3-member etcd losing one member at a time', () => {
  let cluster: Cluster;
  let dir: string;
  const units = ['e1.service', 'e2.service', 'e3.service'];

  beforeAll(async () => {
    // The default agent_ttl: the claim is about a production setting, not the tests' fast 2 s.
    cluster = await startCluster({ machines: 3, agentTtl: '5s', etcdMembers: 3 });
    dir = await unitDir({ ...Object.fromEntries(units.map((u) => [u, loopUnit()])), 'churn.service': loopUnit() });
  }, 120_000);
  afterAll(async () => {
    for (const m of cluster?.etcdMembers ?? []) if (m.process.hasExited()) await m.restart().catch(() => undefined);
    await cluster?.stop();
  }, 120_000);

  it('fails no fleetctl command and restarts no unit when any one member dies, the leader included', async () => {
    expect(cluster.etcdEndpoints).toHaveLength(3);
    expect(cluster.fleetctlFlags[0]).toBe(`--endpoint=${cluster.etcdEndpoints.join(',')}`);
    expect((await fleetctl(cluster, ['start', ...units.map((u) => join(dir, u))])).code).toBe(0);
    const before = await eventually(
      async () => {
        const all = await containers(cluster);
        return all.length === 3 && all.every((c) => c.running) ? all : false;
      },
      { timeoutMs: 30_000, what: 'every unit to run' },
    );
    const leases = new Map((await cluster.registry.listMachines()).map((m) => [m.machine.id, m.leaseId]));
    const marks = await Promise.all(cluster.machines.map((m) => logMark(m)));

    // fleetctl in a loop: reads, and writes that touch no running unit.
    const results: { args: readonly string[]; result: FleetctlResult; ms: number }[] = [];
    let running = true;
    const loop = (async () => {
      for (let i = 0; running; i++) {
        const script: (readonly string[])[] = [
          ['list-machines', '--no-legend'],
          ['list-units', '--no-legend'],
          ['submit', join(dir, 'churn.service')],
          ['cat', 'churn.service'],
          ['destroy', 'churn.service'],
          ['list-unit-files', '--no-legend'],
        ];
        const args = script[i % script.length]!;
        const t0 = Date.now();
        results.push({ args, result: await fleetctl(cluster, args), ms: Date.now() - t0 });
      }
    })();
    const commandsSince = (n: number): Promise<boolean> => eventually(() => results.length >= n, { timeoutMs: 30_000, what: `${n} fleetctl commands` });

    try {
      const first = await eventually(async () => (await cluster.etcdLeader()) ?? false, { what: 'an etcd leader' });
      const order = [first, ...[0, 1, 2].filter((i) => i !== first)];
      for (const victim of order) {
        const wasLeader = (await cluster.etcdLeader()) === victim;
        await cluster.etcdMembers[victim]!.kill();
        const killedAt = Date.now();
        const done = results.length;
        const newLeader = await eventually(
          async () => {
            const leader = await cluster.etcdLeader();
            return leader !== undefined && leader !== victim ? leader : false;
          },
          { what: 'a leader among the surviving members' },
        );
        // Commands keep succeeding with the member down.
        await commandsSince(done + 6);
        process.stdout.write(`etcd member e${victim}${wasLeader ? ' (leader)' : ''} killed; new leader e${newLeader} seen after ${Date.now() - killedAt} ms\n`);
        await cluster.etcdMembers[victim]!.restart();
        await commandsSince(results.length + 3);
      }
    } finally {
      running = false;
      await loop;
    }

    const failed = results.filter((r) => r.result.code !== 0);
    expect(failed.map((f) => `${f.args.join(' ')} → ${f.result.code}: ${f.result.stderr}`)).toEqual([]);
    const slowest = Math.max(...results.map((r) => r.ms));
    process.stdout.write(`etcd members: ${results.length} fleetctl commands, none failed, slowest ${slowest} ms\n`);
    const after = await containers(cluster);
    expect(after.map((c) => [c.id, c.running, c.startedAtText])).toEqual(before.map((c) => [c.id, true, c.startedAtText]));
    expect(new Map((await cluster.registry.listMachines()).map((m) => [m.machine.id, m.leaseId]))).toEqual(leases);
    for (const [i, m] of cluster.machines.entries()) {
      const lost = (await logSince(m, marks[i])).filter((l) => l.msg === 'lease lost' || l.msg.startsWith('lease lost ('));
      expect(lost).toEqual([]);
    }
  }, 180_000);
});
