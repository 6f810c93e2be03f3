import { describe, expect, it } from '@jest/globals';
import {
  MAX_UNIT_FILE_BYTES,
  UnitParseError,
  parseUnitFile,
  type UnitFile,
} from '@fleet/core';

type Triple = [section: string, name: string, value: string];

function triples(unit: UnitFile): Triple[] {
  return unit.options.map((o) => [o.section, o.name, o.value]);
}

function parseError(text: string): UnitParseError {
  try {
    parseUnitFile(text);
  } catch (err) {
    if (err instanceof UnitParseError) return err;
    throw err;
  }
  throw new Error('expected a UnitParseError');
}

describe('parseUnitFile: accepted input (go-systemd Deserialize rules)', () => {
  const cases: Array<[string, string, Triple[]]> = [
    ['empty text', '', []],
    ['only comments and blank lines', '# a\n; b\n\n   \n', []],
    ['simple option', '[Unit]\nDescription=hi\n', [['Unit', 'Description', 'hi']]],
    ['no trailing newline', '[Unit]\nA=b', [['Unit', 'A', 'b']]],
    [
      'junk before the first section is skipped',
      'This=Ignored\n>>>>>>\nnonsense upon stilts\n[Unit]\nA=b\n',
      [['Unit', 'A', 'b']],
    ],
    ['options before any section are junk', 'A=1\n[S]\nB=2\n', [['S', 'B', '2']]],
    ['a stray [ in junk starts a section', 'foo=[bar]\nX=1\n', [['bar', 'X', '1']]],
    [
      'a comment may start mid-line in junk and continue with a backslash',
      'abc#def\\\n[Fake]\n[Unit]\nA=1\n',
      [['Unit', 'A', '1']],
    ],
    ['# and ; comments inside a section', '[S]\n# x\n ; y\nA=1\n', [['S', 'A', '1']]],
    ['comment continuation swallows the next line', '[S]\n# c \\\nA=1\nB=2\n', [['S', 'B', '2']]],
    [
      'comment continuation tolerates exactly one space after the backslash',
      '[S]\n#c\\ \nA=1\nB=2\n',
      [['S', 'B', '2']],
    ],
    ['two spaces after the backslash end the comment', '[S]\n#c\\  \nA=1\n', [['S', 'A', '1']]],
    ['section name is verbatim, spaces kept', '[ My Section ]\nA=1\n', [[' My Section ', 'A', '1']]],
    ['section name may contain a newline', '[Un\nit]\nA=1\n', [['Un\nit', 'A', '1']]],
    ['empty section name', '[]\nA=1\n', [['', 'A', '1']]],
    ['whitespace after ] is fine', '[Unit]  \t\nA=1\n', [['Unit', 'A', '1']]],
    ['a section without options leaves nothing', '[Empty]\n[Unit]\nA=1\n', [['Unit', 'A', '1']]],
    ['option name and value are trimmed', '[S]\n  Name  =  value  \n', [['S', 'Name', 'value']]],
    ['inner spaces are kept', '[S]\nA=  x  y  \n', [['S', 'A', 'x  y']]],
    ['any characters make a name', '[S]\n<<<<<<<<<<<=bar\n', [['S', '<<<<<<<<<<<', 'bar']]],
    ['empty name', '[S]\n=v\n', [['S', '', 'v']]],
    ['the first = splits', '[S]\nA=b=c\n', [['S', 'A', 'b=c']]],
    ['empty value', '[S]\nFoo=\n', [['S', 'Foo', '']]],
    ['whitespace-only value', '[S]\nFoo=   \n', [['S', 'Foo', '']]],
    [
      'repeated keys stay separate and ordered',
      '[S]\nExecStop=a\nExecStop=b\n',
      [
        ['S', 'ExecStop', 'a'],
        ['S', 'ExecStop', 'b'],
      ],
    ],
    [
      'interleaved sections stay in file order',
      '[A]\nx=1\n[B]\ny=2\n[A]\nz=3\n',
      [
        ['A', 'x', '1'],
        ['B', 'y', '2'],
        ['A', 'z', '3'],
      ],
    ],
    [
      'continuation keeps backslash-newline and the next lines leading spaces',
      '[S]\nExecStart=echo \\\n  "pi\\\n  ng"\n',
      [['S', 'ExecStart', 'echo \\\n  "pi\\\n  ng"']],
    ],
    ['a continued line starting with # is value text', '[S]\nA=x\\\n#y\n', [['S', 'A', 'x\\\n#y']]],
    ['a continued line starting with [ is value text', '[S]\nA=x\\\n[y]\n', [['S', 'A', 'x\\\n[y]']]],
    [
      'continuation then a blank line keeps backslash+newline',
      '[S]\nA=x\\\n\nB=1\n',
      [
        ['S', 'A', 'x\\\n'],
        ['S', 'B', '1'],
      ],
    ],
    [
      'continuation then a whitespace-only line ends the value',
      '[S]\nA=x\\\n   \nB=1\n',
      [
        ['S', 'A', 'x\\\n'],
        ['S', 'B', '1'],
      ],
    ],
    ['continuation on the last line with a newline', '[S]\nA=x\\\n', [['S', 'A', 'x\\\n']]],
    ['continuation at end of input appends no newline', '[S]\nA=x\\', [['S', 'A', 'x\\']]],
    [
      'a space after the backslash breaks continuation',
      '[S]\nA=x\\ \nB=1\n',
      [
        ['S', 'A', 'x\\'],
        ['S', 'B', '1'],
      ],
    ],
    [
      'a backslash inside the line is plain text',
      '[S]\nA=x\\y\nB=1\n',
      [
        ['S', 'A', 'x\\y'],
        ['S', 'B', '1'],
      ],
    ],
    ['value of only a backslash continues', '[S]\nA=\\\nb\n', [['S', 'A', '\\\nb']]],
    ['CRLF line endings', '[S]\r\nA=b\r\nC=d\r\n', [['S', 'A', 'b'], ['S', 'C', 'd']]],
    ['a trailing \\r at end of input is stripped', '[S]\nA=b\r', [['S', 'A', 'b']]],
    [
      'CRLF breaks continuation (the \\r stays before the backslash test)',
      '[S]\r\nA=x\\\r\nB=1\r\n',
      [
        ['S', 'A', 'x\\'],
        ['S', 'B', '1'],
      ],
    ],
    ['an inner \\r is kept', '[S]\nA=a\rb\n', [['S', 'A', 'a\rb']]],
    ['Unicode spaces are skipped before a name', '[S]\n\u3000\u00a0A=1\n', [['S', 'A', '1']]],
    ['U+0085 is trimmed like Go does', '[S]\nA=\u0085x\u0085\n', [['S', 'A', 'x']]],
    ['U+FEFF is not a space to Go', '[S]\n\ufeffA=\ufeffx\ufeff\n', [['S', '\ufeffA', '\ufeffx\ufeff']]],
    ['a BOM before the first section is junk', '\ufeff[S]\nA=1\n', [['S', 'A', '1']]],
    ['non-ASCII text', '[Ünit]\nNäme=wërt 日本\n', [['Ünit', 'Näme', 'wërt 日本']]],
  ];

  it.each(cases)('%s', (_desc, text, expected) => {
    expect(triples(parseUnitFile(text))).toEqual(expected);
  });
});

describe('parseUnitFile: errors carry fleet texts and the 1-based line', () => {
  const long = (n: number, ch = 'x') => ch.repeat(n);
  const cases: Array<[string, string, string, number | undefined]> = [
    ['garbage after a header', '[Unit] x\n', 'found garbage after section name Unit: "x"', 1],
    ['garbage on a later header', '[A]\nx=1\n\n[B]junk here\n', 'found garbage after section name B: "junk here"', 4],
    ['garbage is quoted like Go %q', '[S] "a\tb"\n', 'found garbage after section name S: "\\"a\\tb\\""', 1],
    ['missing ]', '[Unit\nA=1\n', 'unable to find end of section', 1],
    ['missing ] on line 3', '[A]\nx=1\n[B\n', 'unable to find end of section', 3],
    ['a line without = in a section', '[S]\nnonsense upon stilts\n', 'unexpected newline encountered while parsing option name', 2],
    ['conflict markers in a section', '[S]\nA=1\n<<<<<<<\n', 'unexpected newline encountered while parsing option name', 3],
    ['a bare \\r ends a name too', '[S]\nab\rc=1\n', 'unexpected newline encountered while parsing option name', 2],
    ['no = before end of input', '[S]\nA=1\nfoo', 'unexpected end of file while parsing option name', 3],
    ['a line of 2048 bytes before its newline', `[S]\nA=${long(2046)}\n`, 'line too long (max 2048 bytes)', 2],
    ['a last line of 2048 bytes', `[S]\nA=${long(2046)}`, 'line too long (max 2048 bytes)', 2],
    ['bytes, not characters, count', `[S]\nA=${long(1023, 'é')}\n`, 'line too long (max 2048 bytes)', 2],
    ['a long comment line', `[S]\n#${long(3000)}\n`, 'line too long (max 2048 bytes)', 2],
    ['a long junk line before any section', `${long(3000)}\n[S]\n`, 'line too long (max 2048 bytes)', 1],
  ];

  it.each(cases)('%s', (_desc, text, message, line) => {
    const err = parseError(text);
    expect(err).toBeInstanceOf(UnitParseError);
    expect(err.code).toBe('UNIT_PARSE');
    expect(err.line).toBe(line);
    expect(err.message).toBe(line === undefined ? message : `line ${line}: ${message}`);
  });

  it('accepts a line of 2047 bytes plus newline, and 2047 bytes at the end', () => {
    expect(parseUnitFile(`[S]\nA=${'x'.repeat(2045)}\n`).options[0]!.value).toHaveLength(2045);
    expect(parseUnitFile(`[S]\nA=${'x'.repeat(2045)}`).options[0]!.value).toHaveLength(2045);
  });

  it('sees a long line only where Go bufio had 2048 bytes buffered (fleet quirk)', () => {
    // 3000 bytes of short lines put the long line past the first 4096-byte read's midpoint: at
    // its start fewer than 2048 bytes are buffered, so go-systemd never checks it.
    const filler = `${'B=' + 'y'.repeat(97) + '\n'}`.repeat(29) + `C=${'z'.repeat(93)}\n`;
    expect(`[S]\n${filler}`).toHaveLength(3000);
    const slipped = parseUnitFile(`[S]\n${filler}A=${'x'.repeat(3000)}\n`);
    expect(slipped.options.at(-1)!.value).toHaveLength(3000);
    expect(() => parseUnitFile(`[S]\nA=${'x'.repeat(3000)}\n${filler}`)).toThrow(
      'line 2: line too long (max 2048 bytes)',
    );
  });

  it(`accepts exactly ${MAX_UNIT_FILE_BYTES} bytes and rejects one more`, () => {
    const line = `#${'x'.repeat(62)}\n`; // 64 bytes
    const max = line.repeat(MAX_UNIT_FILE_BYTES / 64);
    expect(parseUnitFile(max).options).toEqual([]);
    const err = parseError(`${max}#`);
    expect(err.line).toBeUndefined();
    expect(err.message).toBe('unit file is 65537 bytes, larger than the 65536-byte limit');
  });

  it('measures the size limit in UTF-8 bytes', () => {
    const text = `#${'é'.repeat(32768)}`; // 32769 characters, 65537 bytes
    expect(parseError(text).message).toBe('unit file is 65537 bytes, larger than the 65536-byte limit');
  });
});
