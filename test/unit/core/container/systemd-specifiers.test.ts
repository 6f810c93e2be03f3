import { describe, expect, it } from '@jest/globals';
import { expandSystemdSpecifiers, specifierPartsOf, type SpecifierContext } from '@fleet/core';

const machine = { machineId: '0123456789abcdef0123456789abcdef', hostname: 'node-1' };
const ctx = (unitName: string): SpecifierContext => ({ unitName, ...machine });

describe('expandSystemdSpecifiers', () => {
  it.each<[string, string, string]>([
    ['hello@2.service', '%n', 'hello@2.service'],
    ['hello@2.service', '%N', 'hello@2'],
    ['hello@2.service', '%p', 'hello'],
    ['hello@2.service', '%i', '2'],
    ['hello@2.service', '%m', '0123456789abcdef0123456789abcdef'],
    ['hello@2.service', '%H', 'node-1'],
    ['hello@2.service', '100%%', '100%'],
    ['hello@2.service', '%%i', '%i'],
    ['hello@2.service', 'echo Hello %i from %p on %H', 'echo Hello 2 from hello on node-1'],
    ['hello@2.service', '%i%i', '22'],
    ['hello@2.service', 'no specifiers', 'no specifiers'],
    ['hello.service', '%p %N %i|', 'hello hello |'],
    ['hello@.service', '[%i] %p %N', '[] hello hello@'],
    ['foo@bar@baz.service', '%p %i', 'foo bar@baz'],
    ['web.1.service', '%N %p', 'web.1 web.1'],
  ])('in %s, %j → %j', (unitName, value, expanded) => {
    expect(expandSystemdSpecifiers(value, ctx(unitName))).toEqual({ ok: true, value: expanded });
  });

  it.each<[string, string]>([
    ['%I', 'unknown specifier "%I" (known: %n %N %p %i %m %H %%)'],
    ['a %b c', 'unknown specifier "%b" (known: %n %N %p %i %m %H %%)'],
    ['50%', 'incomplete specifier "%" at the end (write %% for a literal %)'],
  ])('refuses %j', (value, error) => {
    expect(expandSystemdSpecifiers(value, ctx('hello@2.service'))).toEqual({ ok: false, error });
  });
});

describe('specifierPartsOf', () => {
  it('splits a unit name the way systemd does', () => {
    expect(specifierPartsOf('hello@2.service')).toEqual({
      full: 'hello@2.service',
      name: 'hello@2',
      prefix: 'hello',
      instance: '2',
    });
  });
});
