import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { joinShellWords, quoteShellWord, splitShellWords } from '@fleet/core';

describe('splitShellWords', () => {
  it.each<[string, string, string[]]>([
    ['blanks separate words', ' a  b\tc\nd ', ['a', 'b', 'c', 'd']],
    ['empty text', '', []],
    ['only blanks', ' \t ', []],
    ['single quotes are literal', `'a "b" \\c $d'`, ['a "b" \\c $d']],
    ['double quotes keep blanks', '"a b"', ['a b']],
    ['escapes inside double quotes', '"a \\"b\\" \\\\ \\$x \\`y\\`"', ['a "b" \\ $x `y`']],
    ['other backslashes stay inside double quotes', '"a\\nb\\c"', ['a\\nb\\c']],
    ['backslash outside quotes makes the next character literal', 'a\\ b \\"c \\\\d \\\'e', ['a b', '"c', '\\d', "'e"]],
    ['quoted and unquoted parts join', `a"b c"'d e'f`, ['ab cd ef']],
    ['empty quotes are an empty word', `"" '' x`, ['', '', 'x']],
    ['dollar is not expanded', 'echo $HOME ${X}', ['echo', '$HOME', '${X}']],
    [
      'a shell script in double quotes with single quotes inside',
      `/bin/sh -c "trap 'exit 0' TERM; while true; do echo hi; sleep 1; done"`,
      ['/bin/sh', '-c', "trap 'exit 0' TERM; while true; do echo hi; sleep 1; done"],
    ],
    ['line continuation between words', 'a \\\n  b\\\nc', ['a', 'b', 'c']],
    ['line continuation inside double quotes is a space', '"a\\\nb"', ['a b']],
    ['line continuation inside single quotes is a space', "'a\\\nb'", ['a b']],
    ['a lone backslash at the end is a blank', 'a b\\', ['a', 'b']],
    ['carriage returns are blanks', 'a\r\nb', ['a', 'b']],
  ])('%s', (_name, text, words) => {
    expect(splitShellWords(text)).toEqual({ ok: true, value: words });
  });

  it.each<[string, string]>([
    ['"abc', 'unterminated double quote'],
    ["a 'bc", 'unterminated single quote'],
    ['"a\\"', 'unterminated double quote'],
  ])('refuses %j: %s', (text, error) => {
    expect(splitShellWords(text)).toEqual({ ok: false, error });
  });
});

describe('quoteShellWord', () => {
  it.each<[string, string]>([
    ['plain', 'plain'],
    ['/usr/bin/x', '/usr/bin/x'],
    ['', '""'],
    ['a b', '"a b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['$HOME', '"\\$HOME"'],
    ["it's", '"it\'s"'],
  ])('%j → %s', (word, quoted) => {
    expect(quoteShellWord(word)).toBe(quoted);
  });
});

const specialChar = fc.constantFrom(
  'a', 'Z', '0', ' ', '\t', '\n', '\r', '"', "'", '\\', '$', '`', '%', '=', ':', '#', ';', 'é', '€', '😀',
);
const word = fc.oneof(fc.string({ unit: specialChar }), fc.string({ unit: 'binary' }));
const separator = fc.constantFrom(' ', '  ', '\t', '\n', ' \\\n  ', '\\\n');

describe('shell words properties', () => {
  it('splitting quoted words joined by any blanks gives the words back', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(word, separator)), separator, (pairs, lead) => {
        const text = lead + pairs.map(([w, sep]) => quoteShellWord(w) + sep).join('');
        expect(splitShellWords(text)).toEqual({ ok: true, value: pairs.map(([w]) => w) });
      }),
    );
  });

  it('joinShellWords and splitShellWords are inverse', () => {
    fc.assert(
      fc.property(fc.array(word), (words) => {
        expect(splitShellWords(joinShellWords(words))).toEqual({ ok: true, value: words });
      }),
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: specialChar }), (text) => {
        expect(typeof splitShellWords(text).ok).toBe('boolean');
      }),
    );
  });
});
