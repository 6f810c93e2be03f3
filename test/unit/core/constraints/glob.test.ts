import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isValidGlob, matchGlob } from '@fleet/core';

describe('matchGlob (Go path.Match)', () => {
  // Go's own path.Match table, plus fleet cases; "bad" = ErrBadPattern, which fleet treated as no match.
  const cases: Array<[string, string, boolean, 'bad'?]> = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[\\-x]', '-', true],
    ['[\\-x]', 'a', false],
    ['[]a]', ']', false, 'bad'],
    ['[-]', '-', false, 'bad'],
    ['[x-]', 'x', false, 'bad'],
    ['[x-]', '-', false, 'bad'],
    ['[-x]', 'x', false, 'bad'],
    ['\\', 'a', false, 'bad'],
    ['[a-b-c]', 'a', false, 'bad'],
    ['[', 'a', false, 'bad'],
    ['[^', 'a', false, 'bad'],
    ['[^bc', 'a', false, 'bad'],
    ['a[', 'a', false, 'bad'],
    ['a[', 'ab', false, 'bad'],
    ['a[', 'x', false, 'bad'],
    ['a/b[', 'x', false, 'bad'],
    ['*x', 'xxx', true],
    // fleet usage and the corners that differ from a naive regex translation
    ['conflict.*.service', 'conflict.0.service', true],
    ['conflict.*.service', 'conflict.service', false],
    ['subgun-http@*.service', 'subgun-http@1.service', true],
    ['hello-world.service', 'hello-world.service', true],
    ['a-[a-c]', 'a-b', true],
    ['[^a]', '/', true],
    ['[/]', '/', true],
    ['[z-a]', 'q', false],
    ['[z-ab]', 'b', true],
    ['[^z-a]', 'q', true],
    ['[*]', '*', true],
    ['[[]', '[', true],
    ['a]', 'a]', true],
    ['[a^]', '^', true],
    ['*??', '日', true], // Go's * skips bytes, so ? can match the tail bytes of a character
    ['', '', true],
    ['', 'a', false],
    ['*', '', true],
    ['a.service', 'a.service.bak', false],
  ];

  const rows = cases.map(([pattern, name, matched, bad]) => [pattern, name, matched, bad ?? 'ok'] as const);
  it.each(rows)('Match(%j, %j) = %j (%s pattern)', (pattern, name, matched, validity) => {
    expect(matchGlob(pattern, name)).toBe(matched);
    expect(isValidGlob(pattern)).toBe(validity === 'ok');
  });

  it('never throws, and a glob without metacharacters matches only itself', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (pattern, name) => {
        const matched = matchGlob(pattern, name);
        if (!/[*?[\\]/.test(pattern)) expect(matched).toBe(pattern === name);
      }),
      { numRuns: 2000 },
    );
  });

  it('an escaped name matches itself', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        expect(matchGlob(name.replace(/[*?[\\]/g, '\\$&'), name)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
