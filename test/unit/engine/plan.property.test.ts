import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { desiredUnits } from '../../../packages/agent/src/desired.js';
import { machineIdMatches, metadataSatisfied, unitsConflict, type MachineInfo, type TargetState } from '@fleet/core';
import { buildClusterState, type ClusterUnit } from '@fleet/engine';
import { applyPlan, machine, plan, requirements, type Cluster } from './fixtures.js';

const MACHINE_IDS = [
  '0a1b2c3d000000000000000000000001',
  '1b2c3d4e000000000000000000000002',
  '2c3d4e5f000000000000000000000003',
  '3d4e5f60000000000000000000000004',
  '4e5f6071000000000000000000000005',
];
const DEAD = '9f9f9f9f000000000000000000000009';
const NAMES = [
  'a.service',
  'b.service',
  'c.service',
  'conflict.0.service',
  'conflict.1.service',
  'conflict.2.service',
  'web@1.service',
  'web@2.service',
  'web@3.service',
  'g1.service',
  'g2.service',
];
const CONFLICT_PATTERNS = ['conflict.*', 'web@*.service', 'a.service', 'b.service', 'g1.service', 'c.*'];

const machineArb = (id: string) =>
  fc
    .record({
      region: fc.option(fc.constantFrom('eu', 'us'), { nil: undefined }),
      disk: fc.option(fc.constant('ssd'), { nil: undefined }),
    })
    .map(({ region, disk }) => {
      const metadata: Record<string, string> = {};
      if (region !== undefined) metadata['region'] = region;
      if (disk !== undefined) metadata['disk'] = disk;
      return machine(id, metadata);
    });

const metadataArb = fc
  .record({
    region: fc.option(fc.subarray(['eu', 'us'], { minLength: 1 }), { nil: undefined }),
    disk: fc.option(fc.constant(['ssd']), { nil: undefined }),
  })
  .map(({ region, disk }) => {
    const metadata: Record<string, readonly string[]> = {};
    if (region !== undefined) metadata['region'] = region;
    if (disk !== undefined) metadata['disk'] = disk;
    return metadata;
  });

/** Any combination, including ones fleet's validation rejects: the planner must still be sound. */
const unitArb = (index: number): fc.Arbitrary<ClusterUnit> => {
  const name = NAMES[index]!;
  return fc
    .record({
      targetState: fc.constantFrom<TargetState>('launched', 'launched', 'loaded', 'inactive'),
      global: fc.boolean().map((b) => b && name.startsWith('g')),
      machineId: fc.option(
        fc.constantFrom(...MACHINE_IDS, MACHINE_IDS[0]!.slice(0, 8), MACHINE_IDS[2]!.slice(0, 8), DEAD),
        { nil: undefined, freq: 6 },
      ),
      metadata: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: metadataArb }),
      conflicts: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.subarray(CONFLICT_PATTERNS, { maxLength: 2 }) }),
      machineOf: fc.oneof(
        { weight: 4, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.subarray([...NAMES, 'ghost.service'], { maxLength: 2 }) },
      ),
      replaces: fc.oneof(
        { weight: 5, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.subarray([...NAMES, 'web@*.service', 'conflict.*', 'c*'], { maxLength: 2 }) },
      ),
    })
    .map((r) => ({
      name,
      targetState: r.targetState,
      hash: `h-${name}`,
      requirements: requirements({
        global: r.global,
        ...(r.machineId === undefined ? {} : { machineId: r.machineId }),
        metadata: r.metadata,
        conflicts: r.conflicts,
        machineOf: r.machineOf,
        replaces: r.replaces,
      }),
    }));
};

const clusterArb: fc.Arbitrary<Cluster> = fc
  .record({
    machineIds: fc.subarray(MACHINE_IDS),
    unitIndexes: fc.subarray(NAMES.map((_, i) => i)),
  })
  .chain(({ machineIds, unitIndexes }) =>
    fc.record({
      machines: fc.tuple(...machineIds.map(machineArb)),
      units: fc.tuple(...unitIndexes.map(unitArb)),
      schedule: fc.dictionary(
        fc.constantFrom(...NAMES, 'gone.service'),
        fc.constantFrom(...MACHINE_IDS, DEAD),
        { maxKeys: 8 },
      ),
    }),
  )
  .map((c) => ({ machines: [...c.machines], units: [...c.units], schedule: c.schedule }));

/** What each live machine ends up running: its scheduled units plus the global units that apply. */
function running(cluster: Cluster, schedule: Record<string, string>): Map<string, string[]> {
  const state = buildClusterState({ units: cluster.units, machines: cluster.machines, schedule });
  const out = new Map<string, string[]>();
  for (const m of cluster.machines) {
    const agent = state.agents.get(m.id)!;
    out.set(m.id, [...agent.scheduled, ...agent.globals].sort());
  }
  return out;
}

describe('computePlan invariants', () => {
  it('places units validly, agrees with the agent, and converges', () => {
    fc.assert(
      fc.property(clusterArb, (cluster) => {
        const before = cluster.schedule ?? {};
        const p = plan(cluster);
        const live = new Set(cluster.machines.map((m) => m.id));
        const units = new Map(cluster.units.map((u) => [u.name, u]));

        // Every action names a live machine, or (unschedule) the machine the unit was on.
        for (const action of p.actions) {
          if (action.kind === 'schedule') expect(live.has(action.machineId)).toBe(true);
          else expect(before[action.unit]).toBe(action.machineId);
        }

        const after = applyPlan(before, p);
        const byMachine = running(cluster, after);
        for (const [unitName, machineId] of Object.entries(after)) {
          const u = units.get(unitName)!;
          expect(u).toBeDefined();
          expect(u.requirements.global).toBe(false);
          expect(u.targetState).not.toBe('inactive');
          expect(live.has(machineId)).toBe(true);
          const m = cluster.machines.find((x) => x.id === machineId) as MachineInfo;
          if (u.requirements.machineId !== undefined) expect(machineIdMatches(u.requirements.machineId, machineId)).toBe(true);
          expect(metadataSatisfied(u.requirements.metadata, m.metadata)).toBe(true);
          // MachineOf followers end up with their peers.
          for (const peer of u.requirements.machineOf) expect(byMachine.get(machineId)).toContain(peer);
        }

        for (const m of cluster.machines) {
          const here = byMachine.get(m.id)!.map((n) => units.get(n)!);
          // No machine gets two conflicting units.
          for (const x of here) for (const y of here) expect(unitsConflict(x, y)).toBe(false);
          // The agent runs exactly what the engine counts on that machine.
          const desired = desiredUnits({ machine: m, units: cluster.units, schedule: after }).map((d) => d.name);
          expect(desired).toEqual(here.map((u) => u.name));
        }

        // Every unit that wants to run is either placed or explained, never both.
        const wanting = cluster.units.filter((u) => !u.requirements.global && u.targetState !== 'inactive').map((u) => u.name);
        const unschedulable = p.unschedulable.map((u) => u.unit);
        expect([...Object.keys(after), ...unschedulable].sort()).toEqual([...wanting].sort());
        for (const u of p.unschedulable) expect(u.summary.startsWith(`${u.unit}: `)).toBe(true);

        // Convergence: planning the result again changes nothing.
        const again = plan({ ...cluster, schedule: after });
        expect(again.actions).toEqual([]);
        expect(again.unschedulable.map((u) => u.summary)).toEqual(p.unschedulable.map((u) => u.summary));
      }),
      { numRuns: 400 },
    );
  });

  it('does not depend on input order', () => {
    const shuffled = clusterArb.chain((cluster) =>
      fc.record({
        original: fc.constant(cluster),
        units: fc.shuffledSubarray(cluster.units, { minLength: cluster.units.length }),
        machines: fc.shuffledSubarray(cluster.machines, { minLength: cluster.machines.length }),
        keys: fc.shuffledSubarray(Object.keys(cluster.schedule ?? {}), { minLength: Object.keys(cluster.schedule ?? {}).length }),
      }),
    );
    fc.assert(
      fc.property(shuffled, ({ original, units, machines, keys }) => {
        const schedule = Object.fromEntries(keys.map((k) => [k, original.schedule![k]!]));
        expect(plan({ units, machines, schedule })).toEqual(plan(original));
      }),
      { numRuns: 200 },
    );
  });
});
