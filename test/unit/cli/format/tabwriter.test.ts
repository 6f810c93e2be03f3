import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { alignTabbedText, formatTabbed } from '../../../../packages/cli/src/format/index.js';

// Expected strings are what Go's text/tabwriter prints with fleetctl's settings (minwidth 0,
// tabwidth 8, padding 1, padchar '\t'); each was checked against Go 1.19's tabwriter.
describe('formatTabbed', () => {
  it.each<[string, string[][], string]>([
    ['no rows', [], ''],
    ['one empty cell', [['']], '\n'],
    ['one column is never padded', [['a'], ['bbbbbbbbbbbbbbbbbbbb']], 'a\nbbbbbbbbbbbbbbbbbbbb\n'],
    ['last column is never padded', [['a', 'bbbbbbbbbbbb'], ['c', 'd']], 'a\tbbbbbbbbbbbb\nc\td\n'],
    ['7 chars fit one tab stop', [['1234567', 'a'], ['x', 'b']], '1234567\ta\nx\tb\n'],
    ['8 chars need the next stop', [['12345678', 'a'], ['x', 'b']], '12345678\ta\nx\t\tb\n'],
    ['15 chars fit 2 stops', [['123456789012345', 'a'], ['', 'b']], '123456789012345\ta\n\t\tb\n'],
    [
      '16 chars need three stops',
      [['1234567890123456', 'a'], ['', 'b']],
      '1234567890123456\ta\n\t\t\tb\n',
    ],
    ['empty cells are padded like text', [['', 'x'], ['abc', 'y']], '\tx\nabc\ty\n'],
    ['an all-empty column is one tab wide', [['', 'x'], ['', 'y']], '\tx\n\ty\n'],
    ['empty last cell', [['abc', ''], ['d', 'e']], 'abc\t\nd\te\n'],
    [
      'each column has its own width',
      [
        ['UNIT', 'HASH', 'TARGET'],
        ['conflict.0.service', '89f5c10', '-'],
      ],
      'UNIT\t\t\tHASH\tTARGET\nconflict.0.service\t89f5c10\t-\n',
    ],
    [
      'a line without a tab ends the column block',
      [['aaaaaaaaaaaa', 'b'], ['c'], ['d', 'e']],
      'aaaaaaaaaaaa\tb\nc\nd\te\n',
    ],
    [
      'a long last cell does not widen the column',
      [['a', 'b'], ['cccccccccccc'], ['d', 'e']],
      'a\tb\ncccccccccccc\nd\te\n',
    ],
    [
      'a trailing empty cell keeps the line in the block',
      [['a', 'b'], ['cccccccccccc', ''], ['d', 'e']],
      'a\t\tb\ncccccccccccc\t\nd\t\te\n',
    ],
    [
      'inner columns form blocks of their own',
      [
        ['a', 'b', 'c'],
        ['a', 'bbbbbbbbbbbb'],
        ['a', 'b', 'c'],
      ],
      'a\tb\tc\na\tbbbbbbbbbbbb\na\tb\tc\n',
    ],
    [
      'an inner block spans consecutive lines only',
      [
        ['a', 'bbbbbbbbbbbb', 'c'],
        ['a', 'b', 'c'],
        ['a'],
        ['a', 'b', 'c'],
      ],
      'a\tbbbbbbbbbbbb\tc\na\tb\t\tc\na\na\tb\tc\n',
    ],
    [
      'a tab inside a cell splits it, as in fleetctl',
      [
        ['x', 'a\tb'],
        ['yyyyyyyyy', 'c'],
      ],
      'x\t\ta\tb\nyyyyyyyyy\tc\n',
    ],
    [
      'width counts code points, not UTF-16 units',
      [
        ['😀😀😀😀😀😀😀', 'a'],
        ['b', 'c'],
      ],
      '😀😀😀😀😀😀😀\ta\nb\tc\n',
    ],
  ])('%s', (_name, rows, expected) => {
    expect(formatTabbed(rows)).toBe(expected);
  });
});

describe('alignTabbedText', () => {
  it.each<[string, string, string]>([
    ['a form feed ends blocks, printed as \\n', 'aaaaaaaaaa\tb\fc\td\n', 'aaaaaaaaaa\tb\nc\td\n'],
    ['without it the block continues', 'aaaaaaaaaa\tb\nc\td\n', 'aaaaaaaaaa\tb\nc\t\td\n'],
    ['\\v terminates a cell like \\t', 'aaaaaaaaaa\vb\nc\vd\n', 'aaaaaaaaaa\tb\nc\t\td\n'],
    ['trailing text without a newline is kept', 'a\tb\nccccccccc\td', 'a\t\tb\nccccccccc\td'],
    ['a tab ending unterminated text is dropped (no empty cell follows)', 'abc\t', 'abc'],
    ['a tab before the newline leaves an empty last cell', 'abc\t\n', 'abc\t\n'],
  ])('%s', (_name, text, expected) => {
    expect(alignTabbedText(text)).toBe(expected);
  });
});

/** Column at which each cell starts once tabs are expanded to stops of 8. */
function cellStarts(line: string): number[] {
  const starts = [0];
  let column = 0;
  let previousWasTab = false;
  for (const ch of line) {
    if (ch === '\t') {
      column = (Math.floor(column / 8) + 1) * 8;
      previousWasTab = true;
    } else {
      if (previousWasTab) starts.push(column);
      previousWasTab = false;
      column++;
    }
  }
  return starts;
}

describe('formatTabbed invariants', () => {
  const cell = fc.stringMatching(/^[a-z0-9.@/-]{1,30}$/);

  it('aligns every column of an equal-width table at one tab stop past its widest cell', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }).chain((n) =>
          fc.array(fc.array(cell, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 8 }),
        ),
        (rows) => {
          const lines = formatTabbed(rows).split('\n');
          expect(lines.pop()).toBe('');
          expect(lines.map((line) => line.split(/\t+/))).toEqual(rows);
          const starts = lines.map(cellStarts);
          const first = starts[0] ?? [];
          for (const s of starts) expect(s).toEqual(first);
          for (let j = 1; j < first.length; j++) {
            const widest = Math.max(...rows.map((row) => (row[j - 1] ?? '').length));
            const start = first[j] ?? 0;
            const previous = first[j - 1] ?? 0;
            expect(start % 8).toBe(0);
            expect(start - previous).toBeGreaterThan(widest);
            expect(start - previous).toBeLessThanOrEqual(widest + 8);
          }
        },
      ),
    );
  });
});

describe('formatTabbed over rows', () => {
  it('lays separator-free rows out exactly as their text joined with tabs and newlines', () => {
    // Ragged and single-cell rows (which end column blocks), surrogate pairs, lone surrogates.
    const plain = fc.array(fc.constantFrom('a', 'bbbbbbbbb', '😀😀', '\uD83D', ''), { maxLength: 3 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(fc.array(plain, { maxLength: 4 }), { maxLength: 10 }), (rows) => {
        expect(formatTabbed(rows)).toBe(alignTabbedText(rows.map((cells) => `${cells.join('\t')}\n`).join('')));
      }),
      { numRuns: 1000 },
    );
  });
});
