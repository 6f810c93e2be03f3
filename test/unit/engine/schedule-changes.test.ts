import { describe, expect, it } from '@jest/globals';
import type { ScheduledUnit, UnitRecord, UnschedulableRecord } from '@fleet/core';
import { syncChanges, SYNC_REASONS, type Plan, type StoredUnitView } from '@fleet/engine';

const rec = (name: string, over: Partial<UnitRecord> = {}): UnitRecord => ({
  name,
  hash: 'a'.repeat(40),
  contents: '[Container]\nImage=x\n',
  targetState: 'launched',
  ...over,
});
const M1 = '1'.repeat(32);
const M2 = '2'.repeat(32);

function input(opts: {
  units?: UnitRecord[];
  schedule?: [string, string, ScheduledUnit][];
  placement?: [string, string][];
  unschedulable?: UnschedulableRecord[];
  plan?: Partial<Plan>;
}) {
  const units = new Map<string, StoredUnitView>((opts.units ?? []).map((u) => [u.name, { record: u, modRevision: '7' }]));
  const schedule = new Map<string, Map<string, ScheduledUnit>>();
  for (const [name, machine, copy] of opts.schedule ?? []) {
    if (!schedule.has(name)) schedule.set(name, new Map());
    schedule.get(name)!.set(machine, copy);
  }
  return {
    units,
    schedule,
    placement: new Map(opts.placement ?? []),
    unschedulable: new Map((opts.unschedulable ?? []).map((u) => [u.name, u])),
    plan: { actions: [], unschedulable: [], ...opts.plan },
  };
}

describe('syncChanges', () => {
  it('writes a schedule action as a self-contained copy guarded by the unit revision', () => {
    const a = rec('a.service');
    const out = syncChanges(input({ units: [a], plan: { actions: [{ kind: 'schedule', unit: 'a.service', machineId: M1, reason: 'r' }] } }));
    expect(out).toEqual([{ change: { kind: 'schedule', machineId: M1, unit: a, unitRevision: '7' }, reason: 'r' }]);
  });

  it('moves a unit: unschedule from the old machine, schedule on the new', () => {
    const a = rec('a.service');
    const out = syncChanges(
      input({
        units: [a],
        schedule: [['a.service', M1, a]],
        placement: [['a.service', M1]],
        plan: {
          actions: [
            { kind: 'unschedule', unit: 'a.service', machineId: M1, reason: 'gone' },
            { kind: 'schedule', unit: 'a.service', machineId: M2, reason: 'least' },
          ],
        },
      }),
    );
    expect(out.map((c) => `${c.change.kind} ${'machineId' in c.change ? c.change.machineId.slice(0, 1) : ''}`)).toEqual(['unschedule 1', 'schedule 2']);
  });

  it('refreshes a copy whose unit changed hash or desired state, and leaves equal copies alone', () => {
    const a = rec('a.service', { targetState: 'loaded' });
    const b = rec('b.service');
    const out = syncChanges(
      input({
        units: [a, b],
        schedule: [
          ['a.service', M1, rec('a.service')],
          ['b.service', M1, b],
        ],
        placement: [
          ['a.service', M1],
          ['b.service', M1],
        ],
      }),
    );
    expect(out).toEqual([{ change: { kind: 'schedule', machineId: M1, unit: a, unitRevision: '7' }, reason: SYNC_REASONS.refresh }]);
  });

  it('removes duplicate copies left by a race, keeping the planned one', () => {
    const a = rec('a.service');
    const out = syncChanges(
      input({ units: [a], schedule: [['a.service', M1, a], ['a.service', M2, a]], placement: [['a.service', M1]] }),
    );
    expect(out).toEqual([{ change: { kind: 'unschedule', machineId: M2, name: 'a.service' }, reason: SYNC_REASONS.duplicate(M1) }]);
  });

  it('marks new or changed unschedulable units once, and clears ones that are no longer', () => {
    const old: UnschedulableRecord = { name: 'x.service', summary: 'x.service: old', machines: [] };
    const same: UnschedulableRecord = { name: 'y.service', summary: 'y.service: same', machines: [{ machineId: M1, reason: 'r' }] };
    const out = syncChanges(
      input({
        unschedulable: [old, same, { name: 'z.service', summary: 'z', machines: [] }],
        plan: {
          unschedulable: [
            { unit: 'x.service', summary: 'x.service: new', machines: [] },
            { unit: 'y.service', summary: 'y.service: same', machines: [{ machineId: M1, reason: 'r' }] },
          ],
        },
      }),
    );
    expect(out.map((c) => c.change)).toEqual([
      { kind: 'mark-unschedulable', record: { name: 'x.service', summary: 'x.service: new', machines: [] } },
      { kind: 'clear-unschedulable', name: 'z.service' },
    ]);
  });
});
