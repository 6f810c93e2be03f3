import { describe, expect, it } from '@jest/globals';
import { splitMultivalue, substituteFleetSpecifiers } from '@fleet/core';

describe('splitMultivalue', () => {
  it.each([
    ['plain', 'a', ['a']],
    ['empty', '', ['']],
    ['unquoted spaces are not split', 'a b c', ['a b c']],
    ['three quoted values', '"a" "b" "c"', ['a', 'b', 'c']],
    ['one quoted value', '"foo bar"', ['foo bar']],
    ['empty quotes', '""', ['']],
    ['a lone quote', '"', ['']],
    ['dangling quote gives an empty last value', '"bar" "', ['bar', '']],
    ['no escapes: backslash-quote', '"foo\\"bar"', ['foo\\bar']],
    ['quoted only at the start is one value', '"a" b', ['"a" b']],
    ['quoted only at the end is one value', 'a "b"', ['a "b"']],
    ['two spaces give an empty value', '"a"  "b"', ['a', '', 'b']],
    ['tabs do not separate', '"a"\t"b"', ['a\tb']],
    ['metadata pairs', '"region=us-west" "disk=ssd"', ['region=us-west', 'disk=ssd']],
    ['quotes in the middle toggle', '"a"b"c"', ['abc']],
  ])('%s: %j', (_desc, raw, values) => {
    expect(splitMultivalue(raw)).toEqual(values);
  });
});

describe('substituteFleetSpecifiers', () => {
  it.each([
    ['%n', 'foo@bar.service', 'foo@bar.service'],
    ['%N', 'foo@bar.service', 'foo@bar'],
    ['%p', 'foo@bar.service', 'foo'],
    ['%i', 'foo@bar.service', 'bar'],
    ['%i', 'foo.service', ''],
    ['%p', 'foo.service', 'foo'],
    ['%i', 'foo@.service', ''],
    ['%p.socket', 'web@1.service', 'web.socket'],
    ['hostname=%i', 'metadata@smoke1.service', 'hostname=smoke1'],
    ['subgun-http@*.service', 'subgun-http@1.service', 'subgun-http@*.service'],
    ['%n %N %p %i', 'a@b.service', 'a@b.service a@b a b'],
    ['no %% escape: %%i', 'a@b.service', 'no %% escape: %b'],
    ['%x %I %P unknown stay', 'a@b.service', '%x %I %P unknown stay'],
    ['%i', 'a@$&.service', '$&'],
  ])('%j for %s → %j', (value, unitName, expected) => {
    expect(substituteFleetSpecifiers(value, unitName)).toBe(expected);
  });

  it('applies the replacements in order %n, %N, %p, %i on the running result', () => {
    // %N yields "x@%i" and the later %i pass replaces inside it.
    expect(substituteFleetSpecifiers('%N', 'x@%i.service')).toBe('x@%i');
    expect(substituteFleetSpecifiers('%p', 'x%i@y.service')).toBe('xy');
  });

  it('substitutes nothing for a name without a dot', () => {
    expect(substituteFleetSpecifiers('%n-%i', 'nodot')).toBe('%n-%i');
  });
});
