import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { MAX_UNIT_FILE_BYTES, lexPlainUnitText, lexUnitBytes, parseUnitFile, type UnitOption } from '@fleet/core';
import { lexerNoise, unitText, xFleetUnitText } from './unit-text-arbitraries.js';

/** The options, or the error message. */
function optionsOrError(lex: () => readonly UnitOption[]): UnitOption[] | string {
  try {
    return [...lex()];
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * lexPlainUnitText must agree with go-systemd's byte model wherever it answers, and answer for
 * plain text; parseUnitFile (the one over the other) must then give the byte model's answer.
 */
function expectAgreement(text: string, plain: boolean): void {
  const expected = optionsOrError(() => lexUnitBytes(text));
  const fast = lexPlainUnitText(text);
  if (typeof expected === 'string') expect(fast).toBeUndefined();
  else {
    if (plain) expect(fast).toBeDefined();
    if (fast !== undefined) expect(fast).toEqual(expected);
  }
  expect(optionsOrError(() => parseUnitFile(text).options)).toEqual(expected);
}

/** No lone surrogate, short lines: the text lexPlainUnitText must answer for when it parses. */
const isPlain = (text: string): boolean =>
  !/\p{Cs}/u.test(text) && text.split(/[\r\n]/u).every((run) => new TextEncoder().encode(run).length < 2048);

describe('lexPlainUnitText gives the byte model’s options', () => {
  const cases: Array<[string, string]> = [
    ['empty', ''],
    ['junk and a stray [ before the first header', 'foo=[bar]\nX=1\n'],
    ['a comment mid-line in junk, continued', 'abc#def\\\n[Fake]\n[Unit]\nA=1\n'],
    ['comment continuation with one space after the backslash', '[S]\n#c\\ \nA=1\nB=2\n'],
    ['two spaces end the comment', '[S]\n#c\\  \nA=1\n'],
    ['a comment continued at the end of input', '[S]\n#c\\'],
    ['section name with a newline and spaces', '[ Un\nit ]\nA=1\n'],
    ['continuation keeps backslash-newline', '[S]\nExecStart=echo \\\n  "pi\\\n  ng"\n'],
    ['continuation then a blank line', '[S]\nA=x\\\n\nB=1\n'],
    ['continuation then a whitespace-only line', '[S]\nA=x\\\n \t\nB=1\n'],
    ['continuation at end of input', '[S]\nA=x\\'],
    ['continuation, then \\r at end of input', '[S]\nA=x\\\r'],
    ['CRLF breaks continuation', '[S]\r\nA=x\\\r\nB=1\r\n'],
    ['a trailing \\r at end of input', '[S]\nA=b\r'],
    ['an inner \\r', '[S]\nA=a\rb\n'],
    ['Unicode spaces before a name and around a value', '[S]\n\u3000\u00a0A=\u0085x\u2028\n'],
    ['U+FEFF is no space', '[S]\n\ufeffA=\ufeffx\ufeff\n'],
    ['non-ASCII and astral characters', '[Ünit]\nNäme=wërt 日本 😀\n'],
    ['repeated keys and interleaved sections', '[X-Fleet]\nConflicts=a\n[Unit]\nA=1\n[X-Fleet]\nConflicts=b\n'],
    ['section names are case-sensitive', '[x-fleet]\nGlobal=true\n[X-Fleet]\nglobal=true\n'],
    ['a line of 2047 bytes', `[S]\nA=${'x'.repeat(2045)}\n`],
    ['2047 bytes of é', `[S]\nA=${'é'.repeat(1022)}x\n`],
    ['garbage after a header', '[X-Fleet] x\nGlobal=true\n'],
    ['missing ]', '[X-Fleet\nGlobal=true\n'],
    ['a line without =', '[X-Fleet]\nGlobal\nA=1\n'],
    ['a bare \\r in a name', '[S]\nab\rc=1\n'],
    ['end of input in a name', '[S]\nA=1\nfoo'],
  ];

  it.each(cases)('%s', (_desc, text) => expectAgreement(text, true));

  it('leaves to the byte model what only bytes decide: long lines, the size limit, lone surrogates', () => {
    for (const text of [
      `[S]\nA=${'x'.repeat(2046)}\n`, // rejected by the line check
      `[S]\nA=${'é'.repeat(1023)}\n`,
      `${'B=y\n'.repeat(800)}[S]\nA=${'x'.repeat(3000)}\n`, // accepted: the check never looked
      `#${'é'.repeat(32768)}`, // one byte over the limit
      '[S]\nA=\ud800\n',
    ]) {
      expect(lexPlainUnitText(text)).toBeUndefined();
      expectAgreement(text, false);
    }
    const max = `#${'x'.repeat(62)}\n`.repeat(MAX_UNIT_FILE_BYTES / 64);
    expect(lexPlainUnitText(max)).toEqual([]);
  });

  it('on the example units', () => {
    for (const file of readdirSync('units').filter((f) => f.endsWith('.service'))) {
      expectAgreement(readFileSync(join('units', file), 'utf8'), true);
    }
  });

  it('on generated unit files, X-Fleet-heavy text and noise', () => {
    fc.assert(
      fc.property(fc.oneof(unitText, xFleetUnitText, lexerNoise), (text) => expectAgreement(text, isPlain(text))),
      { numRuns: 6000 },
    );
  });
});

