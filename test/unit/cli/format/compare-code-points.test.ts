import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compareCodePoints } from '../../../../packages/cli/src/format/compare-code-points.js';

/** The definition: code point by code point, as iterating a string yields them. */
function byCodePoints(a: string, b: string): number {
  const left = [...a].map((c) => c.codePointAt(0)!);
  const right = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(left.length, right.length); i++) if (left[i] !== right[i]) return left[i]! - right[i]!;
  return left.length - right.length;
}

// ASCII, the end of the BMP, a pair (U+1F600 = D83D DE00), and lone surrogates.
const pieces = ['a', 'b', '-', '\uE000', '\uFFFF', '\uD83D\uDE00', '\uD83D\uDE01', '\uD83D', '\uDE00', '\uDBFF'];
const text = fc.array(fc.constantFrom(...pieces), { maxLength: 6 }).map((parts) => parts.join(''));

describe('compareCodePoints', () => {
  it.each([
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['a', 'a', 0],
    ['a', 'ab', -1],
    ['\uFFFF', '\uD83D\uDE00', -1], // U+FFFF < U+1F600, though its UTF-16 unit is larger
    ['\uE000x', '\uD83D\uDE00', -1],
    ['\uD83Dx', '\uD83D\uDE00', -1], // a lone high surrogate (U+D83D) < U+1F600
    ['\uD83D\uE000', '\uD83D\uDE00', -1],
  ])('%j vs %j has the sign of %d', (a, b, sign) => {
    expect(Math.sign(compareCodePoints(a, b))).toBe(sign);
  });

  it('has the sign of a code point by code point comparison', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(byCodePoints(a, b)));
      }),
      { numRuns: 2000 },
    );
  });
});
