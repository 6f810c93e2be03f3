import { describe, expect, it } from '@jest/globals';
import {
  UnitNameError,
  assertValidUnitName,
  isRecognizedUnitType,
  mangleUnitName,
  parseUnitName,
  templateOf,
  validateUnitName,
} from '@fleet/core';

describe('validateUnitName', () => {
  it.each([
    'hello.service',
    'hello@.service',
    'hello@1.service',
    'foo@bar@baz.service',
    'a:b_c-d.e.socket',
    'yes@no\\.service',
    'x.automount',
    'x.busname',
    'x.device',
    'x.mount',
    'x.path',
    'x.scope',
    'x.slice',
    'x.snapshot',
    'x.swap',
    'x.target',
    'x.timer',
    't@.path',
    't@1.socket',
    't@1.target',
    't@1.timer',
    `${'a'.repeat(248)}.service`, // exactly 256 bytes
  ])('accepts %s', (name) => {
    expect(validateUnitName(name)).toBeNull();
    expect(() => assertValidUnitName(name)).not.toThrow();
  });

  it.each([
    ['', 'unit name cannot be empty'],
    [`${'a'.repeat(249)}.service`, 'unit name exceeds maximum length (256)'],
    [`${'é'.repeat(124)}a.service`, 'unit name exceeds maximum length (256)'],
    ['hello', 'unit name must contain "."'],
    ['hello.', 'unit name cannot end in "."'],
    ['hello.servICE', 'invalid unit type: "servICE"'],
    ['hello.conf', 'invalid unit type: "conf"'],
    ['hello.serv ice', 'invalid unit type: "serv ice"'],
    ['hel lo.service', "invalid character ' ' in unit name"],
    ['hel/lo.service', "invalid character '/' in unit name"],
    ['hel\tlo.service', "invalid character '\\t' in unit name"],
    ["it's.service", "invalid character '\\'' in unit name"],
    ['hélo.service', "invalid character 'é' in unit name"],
    ['@foo.service', 'unit name cannot start in "@"'],
    ['@.service', 'unit name cannot start in "@"'],
    ['foo@bar.mount', 'invalid unit type for a template or instance: "mount"'],
    ['foo@.device', 'invalid unit type for a template or instance: "device"'],
  ])('rejects %j: %s', (name, message) => {
    expect(validateUnitName(name)).toBe(message);
    expect(() => assertValidUnitName(name)).toThrow(new UnitNameError(message));
  });

  it('throws UnitNameError with code UNIT_NAME', () => {
    try {
      assertValidUnitName('nope');
      throw new Error('unreachable');
    } catch (err) {
      expect(err).toBeInstanceOf(UnitNameError);
      expect((err as UnitNameError).code).toBe('UNIT_NAME');
    }
  });
});

describe('parseUnitName', () => {
  it.each([
    [
      'foo.service',
      { fullName: 'foo.service', name: 'foo', prefix: 'foo', instance: '', template: '', suffix: 'service', isTemplate: false, isInstance: false },
    ],
    [
      'foo@.service',
      { fullName: 'foo@.service', name: 'foo@', prefix: 'foo', instance: '', template: 'foo@.service', suffix: 'service', isTemplate: true, isInstance: false },
    ],
    [
      'foo@bar.service',
      { fullName: 'foo@bar.service', name: 'foo@bar', prefix: 'foo', instance: 'bar', template: 'foo@.service', suffix: 'service', isTemplate: false, isInstance: true },
    ],
    [
      'foo@bar@baz.socket',
      { fullName: 'foo@bar@baz.socket', name: 'foo@bar@baz', prefix: 'foo', instance: 'bar@baz', template: 'foo@.socket', suffix: 'socket', isTemplate: false, isInstance: true },
    ],
    [
      'a.b@c.d.service',
      { fullName: 'a.b@c.d.service', name: 'a.b@c.d', prefix: 'a.b', instance: 'c.d', template: 'a.b@.service', suffix: 'service', isTemplate: false, isInstance: true },
    ],
  ])('%s', (input, expected) => {
    expect(parseUnitName(input)).toEqual(expected);
  });

  it('returns null without a dot (fleet: nil)', () => {
    expect(parseUnitName('foo@bar')).toBeNull();
  });
});

describe('templateOf', () => {
  it.each([
    ['foo@1.service', 'foo@.service'],
    ['foo@.service', 'foo@.service'],
    ['foo@a@b.timer', 'foo@.timer'],
    ['foo.service', null],
    ['foo', null],
  ])('%s → %s', (name, template) => {
    expect(templateOf(name)).toBe(template);
  });
});

describe('mangleUnitName (fleetctl)', () => {
  it.each([
    ['foo', 'foo.service'],
    ['foo.service', 'foo.service'],
    ['foo.socket', 'foo.socket'],
    ['foo.timer', 'foo.timer'],
    ['foo.path', 'foo.path'],
    ['foo.device', 'foo.device'],
    ['foo.mount', 'foo.mount'],
    ['foo.automount', 'foo.automount'],
    ['foo.target', 'foo.target.service'],
    ['foo.slice', 'foo.slice.service'],
    ['hello@1', 'hello@1.service'],
    ['units/hello.service', 'hello.service'],
    ['/abs/dir/hello@.service', 'hello@.service'],
    ['dir/', 'dir.service'],
    ['/', '/.service'],
    ['', '..service'],
  ])('%j → %s', (arg, name) => {
    expect(mangleUnitName(arg)).toBe(name);
  });

  it('recognises only the narrower type set, by plain suffix', () => {
    expect(isRecognizedUnitType('x.service')).toBe(true);
    expect(isRecognizedUnitType('.service')).toBe(true);
    expect(isRecognizedUnitType('x.target')).toBe(false);
    expect(isRecognizedUnitType('xservice')).toBe(false);
  });
});
