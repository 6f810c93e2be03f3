import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  DEFAULT_KEY_PREFIX,
  KeyComponentError,
  buildKeyspace,
  isKeyComponent,
  normalizeKeyPrefix,
  parseKey,
  type ParsedKey,
} from '@fleet/core';

const MACHINE = '0123456789abcdef0123456789abcdef';

describe('buildKeyspace', () => {
  const keys = buildKeyspace();

  it.each([
    ['unit', keys.unit('web@1.service'), '/_coreos.com/fleet/units/web@1.service'],
    ['unitsPrefix', keys.unitsPrefix(), '/_coreos.com/fleet/units/'],
    ['global', keys.global('log.service'), '/_coreos.com/fleet/global/log.service'],
    ['globalsPrefix', keys.globalsPrefix(), '/_coreos.com/fleet/global/'],
    ['schedule', keys.schedule(MACHINE, 'a.service'), `/_coreos.com/fleet/schedule/${MACHINE}/a.service`],
    ['machineSchedulePrefix', keys.machineSchedulePrefix(MACHINE), `/_coreos.com/fleet/schedule/${MACHINE}/`],
    ['schedulePrefix', keys.schedulePrefix(), '/_coreos.com/fleet/schedule/'],
    ['machine', keys.machine(MACHINE), `/_coreos.com/fleet/machines/${MACHINE}`],
    ['machinesPrefix', keys.machinesPrefix(), '/_coreos.com/fleet/machines/'],
    ['state', keys.state('a.service', MACHINE), `/_coreos.com/fleet/states/a.service/${MACHINE}`],
    ['unitStatesPrefix', keys.unitStatesPrefix('a.service'), '/_coreos.com/fleet/states/a.service/'],
    ['statesPrefix', keys.statesPrefix(), '/_coreos.com/fleet/states/'],
    ['unschedulable', keys.unschedulable('a.service'), '/_coreos.com/fleet/engine/unschedulable/a.service'],
    ['unschedulablePrefix', keys.unschedulablePrefix(), '/_coreos.com/fleet/engine/unschedulable/'],
    ['engineNamespace', keys.engineNamespace(), '/_coreos.com/fleet/engine/'],
  ])('%s', (_what, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('uses fleet’s default prefix', () => {
    expect(DEFAULT_KEY_PREFIX).toBe('/_coreos.com/fleet/');
    expect(keys.prefix).toBe(DEFAULT_KEY_PREFIX);
  });

  it('adds the trailing slash to a custom prefix', () => {
    expect(buildKeyspace('/test/run-1').unit('a.service')).toBe('/test/run-1/units/a.service');
    expect(normalizeKeyPrefix('/x/')).toBe('/x/');
  });

  it('refuses an empty prefix', () => {
    expect(() => normalizeKeyPrefix('')).toThrow(KeyComponentError);
  });

  it.each([
    ['empty unit name', () => keys.unit('')],
    ['unit name with a slash', () => keys.unit('a/b.service')],
    ['machine id with a slash', () => keys.machine('m/1')],
    ['NUL in a unit name', () => keys.state('a\0.service', MACHINE)],
    ['empty machine id in a schedule key', () => keys.schedule('', 'a.service')],
  ])('refuses %s', (_what, build) => {
    expect(build).toThrow(KeyComponentError);
    try {
      build();
    } catch (error) {
      expect((error as KeyComponentError).code).toBe('KEY_INVALID');
    }
  });
});

describe('parseKey', () => {
  const keys = buildKeyspace('/p/');

  it.each<[string, ParsedKey | undefined]>([
    ['/p/units/a.service', { kind: 'unit', name: 'a.service' }],
    ['/p/global/g.service', { kind: 'global', name: 'g.service' }],
    ['/p/schedule/m1/a.service', { kind: 'schedule', machineId: 'm1', name: 'a.service' }],
    ['/p/machines/m1', { kind: 'machine', machineId: 'm1' }],
    ['/p/states/a.service/m1', { kind: 'state', name: 'a.service', machineId: 'm1' }],
    ['/p/engine/unschedulable/a.service', { kind: 'unschedulable', name: 'a.service' }],
    ['/p/engine/election/leader/7587', undefined],
    ['/p/units/', undefined],
    ['/p/units/a/b', undefined],
    ['/p/schedule/m1', undefined],
    ['/p/schedule/m1/a/b', undefined],
    ['/p/schedule//a.service', undefined],
    ['/p/job/a.service/object', undefined],
    ['/other/units/a.service', undefined],
    ['/p/', undefined],
  ])('%s', (key, expected) => {
    expect(parseKey(keys, key)).toEqual(expected);
  });

  const component = fc
    .string({ minLength: 1, maxLength: 20, unit: 'grapheme-ascii' })
    .filter(isKeyComponent);

  it('inverts every key builder', () => {
    fc.assert(
      fc.property(component, component, (name, machineId) => {
        expect(parseKey(keys, keys.unit(name))).toEqual({ kind: 'unit', name });
        expect(parseKey(keys, keys.global(name))).toEqual({ kind: 'global', name });
        expect(parseKey(keys, keys.schedule(machineId, name))).toEqual({ kind: 'schedule', machineId, name });
        expect(parseKey(keys, keys.machine(machineId))).toEqual({ kind: 'machine', machineId });
        expect(parseKey(keys, keys.state(name, machineId))).toEqual({ kind: 'state', name, machineId });
        expect(parseKey(keys, keys.unschedulable(name))).toEqual({ kind: 'unschedulable', name });
      }),
    );
  });

  it('keeps every machine’s schedule under its own prefix and no other machine’s', () => {
    fc.assert(
      fc.property(component, component, component, (m1, m2, name) => {
        fc.pre(m1 !== m2);
        expect(keys.schedule(m1, name).startsWith(keys.machineSchedulePrefix(m1))).toBe(true);
        expect(keys.schedule(m1, name).startsWith(keys.machineSchedulePrefix(m2))).toBe(false);
      }),
    );
  });
});
