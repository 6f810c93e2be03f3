import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { unitsConflict, type MachineInfo, type TargetState, type UnitRequirements } from '@fleet/core';
import { desiredUnits, type AgentUnit } from '../../../packages/agent/src/desired.js';

const ME = '2f1c7e5a0000000000000000000000a1';
const OTHER = '8a4b2c6d0000000000000000000000b2';

function unit(name: string, r: Partial<UnitRequirements> = {}, targetState: TargetState = 'launched'): AgentUnit {
  return {
    name,
    targetState,
    hash: `h-${name}`,
    requirements: { machineOf: [], metadata: {}, conflicts: [], global: false, replaces: [], ...r },
  };
}

function me(metadata: Record<string, string> = {}): MachineInfo {
  return { id: ME, publicIp: '10.0.0.1', metadata, version: '0.1.0' };
}

describe('desiredUnits (fleet.md §6.1)', () => {
  it.each<[string, MachineInfo, AgentUnit[], Record<string, string>, string[]]>([
    ['nothing', me(), [], {}, []],
    ['a unit scheduled here', me(), [unit('a.service')], { 'a.service': ME }, ['a.service launched']],
    ['a unit scheduled elsewhere', me(), [unit('a.service')], { 'a.service': OTHER }, []],
    ['an unscheduled unit', me(), [unit('a.service')], {}, []],
    ['loaded units keep their state', me(), [unit('a.service', {}, 'loaded')], { 'a.service': ME }, ['a.service loaded']],
    ['an inactive unit is not wanted, even if still targeted here', me(), [unit('a.service', {}, 'inactive')], { 'a.service': ME }, []],
    [
      'scheduled units are not re-checked against MachineID or metadata',
      me(),
      [unit('a.service', { machineId: OTHER, metadata: { region: ['eu'] } })],
      { 'a.service': ME },
      ['a.service launched'],
    ],
    ['a global unit without requirements', me(), [unit('g.service', { global: true })], {}, ['g.service launched']],
    ['a global unit whose metadata matches', me({ region: 'eu' }), [unit('g.service', { global: true, metadata: { region: ['eu', 'us'] } })], {}, ['g.service launched']],
    ['a global unit whose metadata does not match', me({ region: 'ap' }), [unit('g.service', { global: true, metadata: { region: ['eu'] } })], {}, []],
    ['a global unit pinned here by short MachineID', me(), [unit('g.service', { global: true, machineId: '2f1c7e5a' })], {}, ['g.service launched']],
    ['a global unit pinned elsewhere', me(), [unit('g.service', { global: true, machineId: OTHER })], {}, []],
    ['an inactive global unit', me(), [unit('g.service', { global: true }, 'inactive')], {}, []],
    [
      'two conflicting global units: the alphabetically first wins',
      me(),
      [unit('global-b.service', { global: true, conflicts: ['global-a.service'] }), unit('global-a.service', { global: true })],
      {},
      ['global-a.service launched'],
    ],
    [
      'a scheduled unit conflicting with an earlier global unit is dropped',
      me(),
      [unit('b.service'), unit('a-global.service', { global: true, conflicts: ['b.*'] })],
      { 'b.service': ME },
      ['a-global.service launched'],
    ],
    [
      'a global unit conflicting with an earlier scheduled unit is dropped',
      me(),
      [unit('z-global.service', { global: true }), unit('a.service', { conflicts: ['z-*'] })],
      { 'a.service': ME },
      ['a.service launched'],
    ],
    [
      'an inactive unit takes no part in conflicts',
      me(),
      [unit('a.service', { conflicts: ['b.service'] }, 'inactive'), unit('b.service')],
      { 'a.service': ME, 'b.service': ME },
      ['b.service launched'],
    ],
    [
      'sorted by name, with hashes',
      me(),
      [unit('web@2.service'), unit('web@10.service'), unit('g.service', { global: true })],
      { 'web@2.service': ME, 'web@10.service': ME },
      ['g.service launched', 'web@10.service launched', 'web@2.service launched'],
    ],
  ])('%s', (_, machine, units, schedule, expected) => {
    const desired = desiredUnits({ machine, units, schedule });
    expect(desired.map((d) => `${d.name} ${d.targetState}`)).toEqual(expected);
    for (const d of desired) expect(d.hash).toBe(`h-${d.name}`);
  });

  it('never keeps two conflicting units, and does not depend on input order', () => {
    const names = ['a.service', 'b.service', 'conflict.0.service', 'conflict.1.service', 'web@1.service', 'web@2.service'];
    const unitArb = fc.record({
      name: fc.constantFrom(...names),
      global: fc.boolean(),
      conflicts: fc.subarray(['conflict.*', 'web@*.service', 'a.service', '*'], { maxLength: 2 }),
      targetState: fc.constantFrom<TargetState>('launched', 'loaded', 'inactive'),
      here: fc.boolean(),
    });
    const arb = fc
      .uniqueArray(unitArb, { selector: (u) => u.name })
      .chain((specs) => fc.tuple(fc.constant(specs), fc.shuffledSubarray(specs, { minLength: specs.length })));
    fc.assert(
      fc.property(arb, ([specs, shuffled]) => {
        const toUnits = (list: typeof specs) =>
          list.map((s) => unit(s.name, { global: s.global, conflicts: s.conflicts }, s.targetState));
        const schedule = Object.fromEntries(specs.filter((s) => s.here).map((s) => [s.name, ME]));
        const desired = desiredUnits({ machine: me(), units: toUnits(specs), schedule });
        expect(desiredUnits({ machine: me(), units: toUnits(shuffled), schedule })).toEqual(desired);
        const byName = new Map(toUnits(specs).map((u) => [u.name, u]));
        const kept = desired.map((d) => byName.get(d.name)!);
        for (const x of kept) for (const y of kept) expect(unitsConflict(x, y)).toBe(false);
        expect(desired.map((d) => d.name)).toEqual([...desired.map((d) => d.name)].sort());
        // Every wanted unit that was dropped conflicts with one kept before it.
        for (const u of toUnits(specs)) {
          const wanted = u.targetState !== 'inactive' && (u.requirements.global || schedule[u.name] === ME);
          if (!wanted || desired.some((d) => d.name === u.name)) continue;
          expect(kept.some((k) => k.name < u.name && unitsConflict(k, u))).toBe(true);
        }
      }),
    );
  });
});
