import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { type Cluster, eventually, fleetctl, loopUnit, startCluster, unitDir } from '@fleet/testkit';

/** fleet's functional scheduling tests (fleet.md §9.2), on real fleetd + dockerd machines. */

/** unit → machine ids where its container is running, read from each machine's Docker daemon. */
async function running(cluster: Cluster, prefix: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const m of cluster.machines) {
    if (m.process.hasExited()) continue;
    const list = await m.docker.docker.listContainers({ filters: { label: [`fleet.machine=${m.machineId}`] } });
    for (const c of list) {
      const unit = c.Labels['fleet.unit']!;
      if (!unit.startsWith(prefix)) continue;
      out.set(unit, [...(out.get(unit) ?? []), m.machineId]);
    }
  }
  return out;
}

describe('scheduling on a real cluster', () => {
  let cluster: Cluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startCluster({
      machines: [
        { metadata: { hostname: 'smoke0', region: 'us' } },
        { metadata: { hostname: 'smoke1', region: 'eu' } },
        { metadata: { hostname: 'smoke2', region: 'us' } },
      ],
    });
    const conflicts = Object.fromEntries(
      [0, 1, 2, 3, 4].map((i) => [`conflict.${i}.service`, loopUnit('[X-Fleet]\nConflicts=conflict.*.service')]),
    );
    const pairs = Object.fromEntries(
      [0, 1, 2].flatMap((i) => [
        [`ping.${i}.service`, loopUnit()],
        [`pong.${i}.service`, loopUnit(`[X-Fleet]\nMachineOf=ping.${i}.service`)],
      ]),
    );
    dir = await unitDir({
      ...conflicts,
      ...pairs,
      'global-us.service': loopUnit('[X-Fleet]\nGlobal=true\nMachineMetadata=region=us'),
      'pin@.service': loopUnit('[X-Fleet]\nMachineID=%i'),
      'metadata@.service': loopUnit('[X-Fleet]\nMachineMetadata=hostname=%i'),
      'replace.0.service': loopUnit(),
      'replace-kick@.service': loopUnit('[X-Fleet]\nMachineMetadata=hostname=%i\nReplaces=replace.0.service'),
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  const path = (name: string) => join(dir, name);

  it('runs 3 of 5 mutually conflicting units, on 3 distinct machines', async () => {
    const names = [0, 1, 2, 3, 4].map((i) => path(`conflict.${i}.service`));
    const r = await fleetctl(cluster, ['start', '--no-block', ...names]);
    expect(r.code).toBe(0);
    const placed = await eventually(
      async () => {
        const run = await running(cluster, 'conflict.');
        return run.size === 3 ? run : false;
      },
      { timeoutMs: 30_000, what: '3 conflict units to run' },
    );
    const hosts = [...placed.values()].flat();
    expect(new Set(hosts).size).toBe(3);
    expect([...placed.values()].every((h) => h.length === 1)).toBe(true);
    // The other two say why they are not placed.
    const unschedulable = await cluster.registry.listUnschedulable();
    expect(unschedulable.map((u) => u.record.name).filter((n) => n.startsWith('conflict.'))).toHaveLength(2);
    for (const u of unschedulable) expect(u.record.summary).toContain('conflict');
    await fleetctl(cluster, ['destroy', ...names]);
  }, 60_000);

  it('co-locates MachineOf followers with their peers and moves them together', async () => {
    const names = [0, 1, 2].flatMap((i) => [path(`ping.${i}.service`), path(`pong.${i}.service`)]);
    expect((await fleetctl(cluster, ['start', ...names])).code).toBe(0);
    const placed = await eventually(
      async () => {
        const run = await running(cluster, 'p');
        return run.size === 6 ? run : false;
      },
      { timeoutMs: 30_000, what: 'ping/pong pairs to run' },
    );
    for (const i of [0, 1, 2]) expect(placed.get(`pong.${i}.service`)).toEqual(placed.get(`ping.${i}.service`));
    await fleetctl(cluster, ['destroy', ...names]);
  }, 60_000);

  it('runs a Global unit on every machine whose metadata matches', async () => {
    expect((await fleetctl(cluster, ['start', path('global-us.service')])).code).toBe(0);
    const placed = await eventually(
      async () => {
        const run = await running(cluster, 'global-us');
        const hosts = run.get('global-us.service') ?? [];
        return hosts.length === 2 ? hosts : false;
      },
      { timeoutMs: 30_000, what: 'global unit on both us machines' },
    );
    expect(placed.sort()).toEqual([cluster.machines[0]!.machineId, cluster.machines[2]!.machineId].sort());
    await fleetctl(cluster, ['destroy', 'global-us.service']);
  }, 60_000);

  it('pins MachineID=%i instances to their machines (full and short id)', async () => {
    const [a, b] = cluster.machines;
    const names = [path(`pin@${a!.machineId}.service`), path(`pin@${b!.shortId}.service`)];
    expect((await fleetctl(cluster, ['start', ...names])).code).toBe(0);
    const placed = await eventually(
      async () => {
        const run = await running(cluster, 'pin@');
        return run.size === 2 ? run : false;
      },
      { timeoutMs: 30_000, what: 'pinned units to run' },
    );
    expect(placed.get(`pin@${a!.machineId}.service`)).toEqual([a!.machineId]);
    expect(placed.get(`pin@${b!.shortId}.service`)).toEqual([b!.machineId]);
    await fleetctl(cluster, ['destroy', `pin@${a!.machineId}.service`, `pin@${b!.shortId}.service`]);
  }, 60_000);

  it('places MachineMetadata=hostname=%i instances on the named host', async () => {
    const names = [0, 1, 2].map((i) => path(`metadata@smoke${i}.service`));
    expect((await fleetctl(cluster, ['start', ...names])).code).toBe(0);
    const placed = await eventually(
      async () => {
        const run = await running(cluster, 'metadata@');
        return run.size === 3 ? run : false;
      },
      { timeoutMs: 30_000, what: 'metadata instances to run' },
    );
    for (const i of [0, 1, 2]) expect(placed.get(`metadata@smoke${i}.service`)).toEqual([cluster.machines[i]!.machineId]);
    // No machine has hostname=nowhere: the unit is explained, and start gives up after its attempts.
    const r = await fleetctl(cluster, ['start', '--block-attempts=2', path('metadata@nowhere.service')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('metadata@nowhere.service');
    expect(r.stderr).toContain('hostname=nowhere');
    await fleetctl(cluster, ['destroy', ...[0, 1, 2].map((i) => `metadata@smoke${i}.service`), 'metadata@nowhere.service']);
  }, 60_000);

  it('Replaces= moves the replaced unit off the machine its replacer must use', async () => {
    expect((await fleetctl(cluster, ['start', path('replace.0.service')])).code).toBe(0);
    const [host] = await eventually(
      async () => (await running(cluster, 'replace.0')).get('replace.0.service') ?? false,
      { timeoutMs: 30_000, what: 'replace.0 to run' },
    );
    const index = cluster.machines.findIndex((m) => m.machineId === host);
    // The replacer may only run on replace.0's machine, so replace.0 has to make way.
    const kick = `replace-kick@smoke${index}.service`;
    expect((await fleetctl(cluster, ['start', path(kick)])).code).toBe(0);
    const after = await eventually(
      async () => {
        const run = await running(cluster, 'replace');
        const k = run.get(kick);
        const moved = run.get('replace.0.service');
        return k !== undefined && moved !== undefined && moved[0] !== host ? { k, moved } : false;
      },
      { timeoutMs: 30_000, what: 'replace.0 to move away from the replacer' },
    );
    expect(after.k).toEqual([host]);
    expect(after.moved).toHaveLength(1);
    await fleetctl(cluster, ['destroy', 'replace.0.service', kick]);
  }, 60_000);
});
