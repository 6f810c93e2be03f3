import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  machineIdMatches,
  metadataSatisfied,
  replaces,
  shortMachineId,
  unitsConflict,
  type ConstrainedUnit,
  type UnitRequirements,
} from '@fleet/core';

const ID = '2f1c7e5a9d8b4c3e8f7a6b5c4d3e2f1a';

function u(name: string, r: Partial<UnitRequirements> = {}): ConstrainedUnit {
  return {
    name,
    requirements: { machineOf: [], metadata: {}, conflicts: [], global: false, replaces: [], ...r },
  };
}

describe('machineIdMatches', () => {
  it.each<[string, string, string, boolean]>([
    ['full id', ID, ID, true],
    ['8-character short id', '2f1c7e5a', ID, true],
    ['another machine', '8a4b2c6d9d8b4c3e8f7a6b5c4d3e2f1a', ID, false],
    ['another short id', '8a4b2c6d', ID, false],
    ['7-character prefix is not a short id', '2f1c7e5', ID, false],
    ['9-character prefix is not a short id', '2f1c7e5a9', ID, false],
    ['case matters', ID.toUpperCase(), ID, false],
    ['empty requirement', '', ID, false],
  ])('%s', (_, required, machineId, expected) => {
    expect(machineIdMatches(required, machineId)).toBe(expected);
  });

  it('shortMachineId is the first 8 characters', () => {
    expect(shortMachineId(ID)).toBe('2f1c7e5a');
  });
});

describe('metadataSatisfied', () => {
  it.each<[string, Record<string, string[]>, Record<string, string>, boolean]>([
    ['no requirement', {}, {}, true],
    ['no requirement, any metadata', {}, { region: 'eu' }, true],
    ['single value matches', { region: ['eu'] }, { region: 'eu' }, true],
    ['single value differs', { region: ['eu'] }, { region: 'us-west' }, false],
    ['key missing', { region: ['eu'] }, {}, false],
    ['OR within a key: second value', { region: ['eu', 'us-west'] }, { region: 'us-west' }, true],
    ['OR within a key: none', { region: ['eu', 'us-west'] }, { region: 'ap' }, false],
    ['AND across keys: both', { region: ['eu'], disk: ['ssd'] }, { region: 'eu', disk: 'ssd' }, true],
    ['AND across keys: one fails', { region: ['eu'], disk: ['ssd'] }, { region: 'eu', disk: 'hdd' }, false],
    ['AND across keys: one missing', { region: ['eu'], disk: ['ssd'] }, { region: 'eu' }, false],
    ['values are compared exactly', { region: ['EU'] }, { region: 'eu' }, false],
    ['a key with no allowed values is never satisfied', { region: [] }, { region: 'eu' }, false],
    ['inherited properties are not metadata', { constructor: ['x'] }, {}, false],
  ])('%s', (_, required, actual, expected) => {
    expect(metadataSatisfied(required, actual)).toBe(expected);
  });
});

describe('unitsConflict', () => {
  it.each<[string, ConstrainedUnit, ConstrainedUnit, boolean]>([
    ['no patterns', u('a.service'), u('b.service'), false],
    ['literal, forward', u('a.service', { conflicts: ['b.service'] }), u('b.service'), true],
    ['literal, reverse', u('a.service'), u('b.service', { conflicts: ['a.service'] }), true],
    ['glob', u('conflict.0.service', { conflicts: ['conflict.*'] }), u('conflict.1.service'), true],
    ['glob does not match', u('conflict.0.service', { conflicts: ['conflict.*'] }), u('other.service'), false],
    ['never with itself', u('conflict.0.service', { conflicts: ['conflict.*'] }), u('conflict.0.service', { conflicts: ['conflict.*'] }), false],
    ['template instances', u('web@1.service', { conflicts: ['web@*.service'] }), u('web@2.service', { conflicts: ['web@*.service'] }), true],
    ['* does not cross /', u('a.service', { conflicts: ['x*'] }), u('x/y.service'), false],
    ['malformed pattern matches nothing', u('a.service', { conflicts: ['b[.service'] }), u('b[.service'), false],
    ['any of several patterns', u('a.service', { conflicts: ['x.service', 'b.*'] }), u('b.service'), true],
  ])('%s', (_, a, b, expected) => {
    expect(unitsConflict(a, b)).toBe(expected);
    expect(unitsConflict(b, a)).toBe(expected);
  });

  it('is symmetric for arbitrary patterns', () => {
    const name = fc.constantFrom('a.service', 'b.service', 'web@1.service', 'web@2.service', 'c.socket');
    const pattern = fc.constantFrom('a.service', 'b.*', 'web@*.service', '*.socket', '?.service', '[ab].service');
    const gen = fc.record({ name, conflicts: fc.array(pattern, { maxLength: 3 }) });
    fc.assert(
      fc.property(gen, gen, (x, y) => {
        const a = u(x.name, { conflicts: x.conflicts });
        const b = u(y.name, { conflicts: y.conflicts });
        expect(unitsConflict(a, b)).toBe(unitsConflict(b, a));
        if (a.name === b.name) expect(unitsConflict(a, b)).toBe(false);
      }),
    );
  });
});

describe('replaces', () => {
  it.each<[string, ConstrainedUnit, ConstrainedUnit, boolean]>([
    ['no patterns', u('a.service'), u('b.service'), false],
    ['one direction', u('replace.1.service', { replaces: ['replace.0.service'] }), u('replace.0.service'), true],
    ['the other direction', u('replace.0.service'), u('replace.1.service', { replaces: ['replace.0.service'] }), false],
    ['glob', u('new.service', { replaces: ['old@*.service'] }), u('old@3.service'), true],
    [
      'mutual replacement is ignored',
      u('replace.0.service', { replaces: ['replace.1.service'] }),
      u('replace.1.service', { replaces: ['replace.0.service'] }),
      false,
    ],
    ['never itself', u('r.service', { replaces: ['r.*'] }), u('r.service', { replaces: ['r.*'] }), false],
  ])('%s', (_, a, b, expected) => {
    expect(replaces(a, b)).toBe(expected);
  });

  it('holds in at most one direction', () => {
    const name = fc.constantFrom('a.service', 'b.service', 'c.service');
    const pattern = fc.constantFrom('a.service', 'b.service', '*.service', '[ab].service');
    const gen = fc.record({ name, replaces: fc.array(pattern, { maxLength: 2 }) });
    fc.assert(
      fc.property(gen, gen, (x, y) => {
        const a = u(x.name, { replaces: x.replaces });
        const b = u(y.name, { replaces: y.replaces });
        expect(replaces(a, b) && replaces(b, a)).toBe(false);
      }),
    );
  });
});
