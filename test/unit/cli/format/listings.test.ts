import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { MachineInfo, UnitState } from '@fleet/core';
import {
  formatListMachines,
  formatListUnitFiles,
  formatListUnits,
  formatMetadata,
} from '../../../../packages/cli/src/format/index.js';
import type { ListOptions, UnitFileEntry } from '../../../../packages/cli/src/format/index.js';
import {
  GONE,
  M1,
  M3,
  MACHINES,
  SCHEDULED_UNIT_FILES,
  SCHEDULED_UNITS,
} from './cluster-fixture.js';

const HASH = '303ce377524ae005ab49d2cecb048313e0e5477d';
const rowsOnly: ListOptions = { full: false, noLegend: true };

function unit(name: string, extra: Partial<UnitFileEntry> = {}): UnitFileEntry {
  return { name, hash: HASH, targetState: 'inactive', global: false, ...extra };
}

function state(name: string, machineId: string, extra: Partial<UnitState> = {}): UnitState {
  const base = { loadState: 'loaded', activeState: 'active', subState: 'running' };
  return { name, machineId, hash: HASH, ...base, ...extra };
}

describe('formatMetadata', () => {
  it.each<[Record<string, string>, string]>([
    [{}, '-'],
    [{ b: '2', a: '1' }, 'a=1,b=2'],
    [{ B: 'x', a: 'y' }, 'B=x,a=y'], // byte order: upper case first
    [
      { disk: '>=3', ram: '<8', os: '==linux', zone: '!=a', x: '>1', y: '<=2' },
      'disk>=3,os==linux,ram<8,x>1,y<=2,zone!=a',
    ],
    [{ k: '=v' }, 'k==v'],
    [{ k: '' }, 'k='],
  ])('%j → %s', (metadata, text) => {
    expect(formatMetadata(metadata)).toBe(text);
  });
});

describe('formatListMachines', () => {
  it('prints `-` for a missing IP and missing metadata', () => {
    const bare: MachineInfo = { id: 'ffffffff00000000', publicIp: '', metadata: {}, version: '' };
    expect(formatListMachines({ machines: [bare] }, rowsOnly).stdout).toBe('ffffffff...\t-\t-\n');
  });
});

describe('formatListUnits', () => {
  it('prints `-` for a missing hash and 7 characters otherwise', () => {
    const states = [state('a.service', M1, { hash: '' }), state('b.service', M1)];
    const output = formatListUnits(
      { states, machines: MACHINES },
      { ...rowsOnly, fields: 'unit,hash' },
    );
    expect(output.stdout).toBe('a.service\t-\nb.service\t303ce37\n');
  });

  it('sorts by unit name, then machine ID, whatever the input order', () => {
    const expected = formatListUnits(SCHEDULED_UNITS, rowsOnly).stdout;
    fc.assert(
      fc.property(fc.shuffledSubarray([...SCHEDULED_UNITS.states], { minLength: 5 }), (states) => {
        expect(formatListUnits({ ...SCHEDULED_UNITS, states }, rowsOnly).stdout).toBe(expected);
      }),
    );
  });
});

describe('formatListUnitFiles', () => {
  const fields = 'unit,dstate,state,target,desc,global';
  const run = (units: UnitFileEntry[], schedule: [string, string][], states: UnitState[]) =>
    formatListUnitFiles(
      { units, schedule: new Map(schedule), states, machines: MACHINES },
      { ...rowsOnly, fields },
    ).stdout;

  it.each<[string, UnitFileEntry, [string, string][], UnitState[], string]>([
    ['unscheduled', unit('u.service'), [], [], 'u.service\tinactive\tinactive\t-\t-\tfalse\n'],
    [
      'no desired state, empty description',
      unit('u.service', { targetState: undefined, description: '' }),
      [],
      [],
      'u.service\t-\tinactive\t-\t-\tfalse\n',
    ],
    [
      'scheduled, no state from the target yet',
      unit('u.service', { targetState: 'launched' }),
      [['u.service', M1]],
      [state('u.service', M3)],
      'u.service\tlaunched\tinactive\t2f1c7e5a.../172.17.8.101\t-\tfalse\n',
    ],
    [
      'scheduled and running on the target',
      unit('u.service', { targetState: 'launched' }),
      [['u.service', M1]],
      [state('u.service', M1)],
      'u.service\tlaunched\tlaunched\t2f1c7e5a.../172.17.8.101\t-\tfalse\n',
    ],
    [
      'scheduled on a machine that is gone',
      unit('u.service', { targetState: 'loaded', description: 'Gone' }),
      [['u.service', GONE]],
      [state('u.service', GONE, { activeState: 'inactive', subState: 'dead' })],
      'u.service\tloaded\tloaded\t5c99a087...\tGone\tfalse\n',
    ],
    [
      'global units show no state and target `global`',
      unit('g.service', { global: true, targetState: 'launched' }),
      [['g.service', M1]],
      [state('g.service', M1)],
      'g.service\tlaunched\t-\tglobal\t-\ttrue\n',
    ],
  ])('%s', (_name, entry, schedule, states, expected) => {
    expect(run([entry], schedule, states)).toBe(expected);
  });

  it('sorts by unit name, whatever the input order', () => {
    const expected = formatListUnitFiles(SCHEDULED_UNIT_FILES, rowsOnly).stdout;
    const all = [...SCHEDULED_UNIT_FILES.units];
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length }), (units) => {
        const input = { ...SCHEDULED_UNIT_FILES, units };
        expect(formatListUnitFiles(input, rowsOnly).stdout).toBe(expected);
      }),
    );
  });
});
