import { describe, expect, it } from '@jest/globals';
import { validateRequirements, type UnitRequirements } from '@fleet/core';

const NONE: UnitRequirements = { machineOf: [], metadata: {}, conflicts: [], global: false, replaces: [] };
const req = (r: Partial<UnitRequirements>): UnitRequirements => ({ ...NONE, ...r });

describe('validateRequirements', () => {
  const cases: Array<[string, Partial<UnitRequirements>, string[]]> = [
    ['nothing', {}, []],
    ['MachineID alone', { machineId: 'm' }, []],
    ['MachineID + MachineMetadata is allowed', { machineId: 'm', metadata: { k: ['v'] } }, []],
    ['Global + MachineMetadata is allowed', { global: true, metadata: { k: ['v'] } }, []],
    ['Global + Conflicts is allowed', { global: true, conflicts: ['x*'] }, []],
    ['Peers + Conflicts that do not match', { machineOf: ['a.service'], conflicts: ['b*'] }, []],
    ['Peers + Replaces that do not match', { machineOf: ['a.service'], replaces: ['b*'] }, []],
    [
      'a peer matching a conflict',
      { machineOf: ['db.service'], conflicts: ['db*'] },
      ['unresolvable requirements: peer "db.service" matches conflict "db*"'],
    ],
    [
      'a peer matching a replace',
      { machineOf: ['db.service'], replaces: ['db.*'] },
      ['unresolvable requirements: peer "db.service" matches replace "db.*"', ],
    ],
    [
      'each peer/pattern pair once, conflicts before replaces per peer',
      {
        machineOf: ['a.service', 'b.service', 'a.service'],
        conflicts: ['*.service', 'a*', '*.service'],
        replaces: ['b?service'],
      },
      [
        'unresolvable requirements: peer "a.service" matches conflict "*.service"',
        'unresolvable requirements: peer "a.service" matches conflict "a*"',
        'unresolvable requirements: peer "b.service" matches conflict "*.service"',
        'unresolvable requirements: peer "b.service" matches replace "b?service"',
        'Conflicts cannot be used with Replaces',
      ],
    ],
    ['a malformed glob matches nothing', { machineOf: ['a[.service'], conflicts: ['a['] }, []],
    ['MachineID + Peers', { machineId: 'm', machineOf: ['a.service'] }, ['MachineID cannot be used with Peers']],
    ['MachineID + Conflicts', { machineId: 'm', conflicts: ['a*'] }, ['MachineID cannot be used with Conflicts']],
    ['MachineID + Global', { machineId: 'm', global: true }, ['MachineID cannot be used with Global']],
    ['MachineID + Replaces', { machineId: 'm', replaces: ['a*'] }, ['MachineID cannot be used with Replaces']],
    ['an empty MachineID still counts', { machineId: '', global: true }, ['MachineID cannot be used with Global']],
    ['Global + Peers', { global: true, machineOf: ['a.service'] }, ['Global cannot be used with Peers']],
    ['Global + Replaces', { global: true, replaces: ['a*'] }, ['Global cannot be used with Replaces']],
    ['Conflicts + Replaces', { conflicts: ['a*'], replaces: ['b*'] }, ['Conflicts cannot be used with Replaces']],
    [
      'everything at once, in fleet switch order',
      { machineId: 'm', machineOf: ['p.service'], conflicts: ['c*'], global: true, replaces: ['r*'] },
      [
        'MachineID cannot be used with Peers',
        'MachineID cannot be used with Conflicts',
        'MachineID cannot be used with Global',
        'MachineID cannot be used with Replaces',
        'Global cannot be used with Peers',
        'Global cannot be used with Replaces',
        'Conflicts cannot be used with Replaces',
      ],
    ],
    [
      'names are quoted like Go %q',
      { machineOf: ['we"ird'], conflicts: ['we*'] },
      ['unresolvable requirements: peer "we\\"ird" matches conflict "we*"'],
    ],
  ];

  it.each(cases)('%s', (_desc, input, problems) => {
    expect(validateRequirements(req(input))).toEqual(problems);
  });
});
