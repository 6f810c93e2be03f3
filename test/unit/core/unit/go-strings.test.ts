import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { goQuote, goQuoteRune, isGoSpace, splitGoFields, trimGoSpace, utf8ByteLength } from '@fleet/core';

describe('Go string helpers', () => {
  it.each([
    ['abc', '"abc"'],
    ['', '""'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ["it's", '"it\'s"'],
    ['\t\n\r\x07\x08\x0c\x0b', '"\\t\\n\\r\\a\\b\\f\\v"'],
    ['\x00\x1f\x7f', '"\\x00\\x1f\\x7f"'],
    ['é日本☺', '"é日本☺"'],
    ['\u00a0\u00ad\u0085', '"\\u00a0\\u00ad\\u0085"'],
    ['\u200b\u2028', '"\\u200b\\u2028"'],
    ['\u{e0001}', '"\\U000e0001"'],
    ['😀', '"😀"'],
    ['\ud800', '"�"'],
  ])('goQuote(%j) = %s', (input, quoted) => {
    expect(goQuote(input)).toBe(quoted);
  });

  it.each([
    [0x20, "' '"],
    [0x27, "'\\''"],
    [0x22, '\'"\''],
    [0x5c, "'\\\\'"],
    [0x09, "'\\t'"],
    [0xe9, "'é'"],
    [0x2f, "'/'"],
  ])('goQuoteRune(%i) = %s', (cp, quoted) => {
    expect(goQuoteRune(cp)).toBe(quoted);
  });

  it('knows Go spaces', () => {
    for (const cp of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]) {
      expect(isGoSpace(cp)).toBe(true);
    }
    for (const cp of [0xfeff, 0x200b, 0x180e, 0x41, 0x00]) expect(isGoSpace(cp)).toBe(false);
  });

  it('trims and splits like Go', () => {
    expect(trimGoSpace('\u0085 a b \u3000')).toBe('a b');
    expect(trimGoSpace('\ufeffa\ufeff')).toBe('\ufeffa\ufeff');
    expect(trimGoSpace('   ')).toBe('');
    expect(splitGoFields('  a\tb\u00a0c  ')).toEqual(['a', 'b', 'c']);
    expect(splitGoFields('   ')).toEqual([]);
  });

  it('trims code points, not UTF-16 units: surrogates, paired or lone, are never space', () => {
    const byCodePoints = (text: string): string => {
      const chars = Array.from(text);
      let start = 0;
      let end = chars.length;
      while (start < end && isGoSpace(chars[start]!.codePointAt(0)!)) start++;
      while (end > start && isGoSpace(chars[end - 1]!.codePointAt(0)!)) end--;
      return chars.slice(start, end).join('');
    };
    const unit = fc.constantFrom(' ', '\t', '\u0085', '\u3000', '\ufeff', 'a', '\ud83d', '\ude00', '😀', '\u2000');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit, maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 })), (text) => {
        expect(trimGoSpace(text)).toBe(byCodePoints(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('counts UTF-8 bytes', () => {
    expect(utf8ByteLength('aé日😀')).toBe(1 + 2 + 3 + 4);
    expect(utf8ByteLength('\ud800')).toBe(3);
  });
});
