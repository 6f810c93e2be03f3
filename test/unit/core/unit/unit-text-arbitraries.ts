import fc from 'fast-check';
import { trimGoSpace } from '@fleet/core';

/** Generators of unit-file text for the lexer's property tests. */

const chars = (list: string) => fc.constantFrom(...Array.from(list));
const text = (list: string, maxLength: number, minLength = 0) =>
  fc.string({ unit: chars(list), minLength, maxLength });

const eol = fc.constantFrom('\n', '\n', '\n', '\r\n');
const indent = text(' \t\u3000', 3);
const sectionName = text('abcXYZ019 -_.é#[;=\n"\\', 12);
const optionName = text('abcXYZ019 -_.é<>"\\#;[%', 10).filter(
  (n) => n === '' || !/^[\s[#;]/u.test(n),
);
const valueChars = 'abc xyz\t09"#[;=%é\\';
const valueLine = text(valueChars, 20);
/** A value's last line must not end in a backslash (that would continue it). */
const lastLine = valueLine.filter((l) => !trimGoSpace(l).endsWith('\\'));

/**
 * Raw value text: optional continuation lines (each ending in a backslash), then either a last
 * line or (null) a blank line, which leaves the value ending in backslash-newline.
 */
const rawValue = fc
  .tuple(fc.array(valueLine, { maxLength: 2 }), fc.option(lastLine, { nil: null }))
  .map(([continued, last]) => {
    if (continued.length === 0) return last ?? '';
    const head = continued.map((l) => `${l}\\`).join('\n');
    if (last === null) return `${head}\n`;
    return `${head}\n${trimGoSpace(last) === '' ? 'y' : last}`;
  });

const optionLine = fc
  .tuple(indent, optionName, indent, indent, rawValue, eol)
  .map(([i1, name, s1, s2, value, end]) => {
    const lineEnd = value.endsWith('\n') ? '\n' : end; // a trailing continuation needs LF
    return `${i1}${name}${s1}=${s2}${value}${lineEnd}`;
  });
const commentLine = fc
  .tuple(indent, chars('#;'), text('abc =[]\t', 15), eol)
  .map(([i, c, body, end]) => `${i}${c}${body}${end}`);
const blankLine = fc.tuple(indent, eol).map(([i, end]) => `${i}${end}`);
const sectionBlock = fc
  .tuple(sectionName, text(' \t', 2), eol, fc.array(fc.oneof(optionLine, optionLine, commentLine, blankLine), { maxLength: 6 }))
  .map(([name, trailing, end, lines]) => `[${name}]${trailing}${end}${lines.join('')}`);
const junk = text('abc =\n\t<>xyz', 20);

/** Unit-file-like text: junk, then sections of options, comments and blank lines. */
export const unitText = fc
  .tuple(junk, fc.array(sectionBlock, { maxLength: 5 }))
  .map(([j, blocks]) => `${j}${j === '' || j.endsWith('\n') ? '' : '\n'}${blocks.join('')}`);

/** Strings dense in the lexer's special characters. */
export const lexerNoise = fc.oneof(
  text('[]=#;\\\n\r \t"aé\u3000\u0085\ufeffS', 80),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ maxLength: 80 }),
);

const X_FLEET_KEYS = ['MachineID', 'X-ConditionMachineID', 'X-ConditionMachineBootID', 'MachineOf', 'X-ConditionMachineOf',
  'Conflicts', 'X-Conflicts', 'MachineMetadata', 'X-ConditionMachineMetadata', 'Global', 'Replaces'];
const xFleetKey = fc.oneof(
  fc.constantFrom(...X_FLEET_KEYS),
  fc.constantFrom(...X_FLEET_KEYS).map((k) => k.toLowerCase()),
  fc.constantFrom(' MachineID', 'Global\t', 'Bogus', 'X-Fleet', '', 'é'),
);
const xFleetValue = fc.oneof(
  fc.constantFrom('', ' ', 'abc', '%i', '%n-%p.%N', '"a" "b c"', '"a', 'a"', '"', 'region=us-west', '"region=a" "job=x"',
    'k=v=w', '=v', 'true', 'YES', 'On', 't', '0', 'a.service b.service', '\u3000x\u0085', '\ufeffx', 'é', '😀', '\\', 'x\\ '),
  text('abc "=%\\\t', 12),
);
const xFleetLine = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(indent, xFleetKey, indent, xFleetValue).map(([a, k, b, v]) => `${a}${k}${b}=${v}`) },
  { weight: 2, arbitrary: xFleetValue.map((v) => `${v}\\`) },
  { weight: 2, arbitrary: fc.constantFrom('[X-Fleet]', '[x-fleet]', '[X-FLEET]', '[X-Fleet ]', '[ X-Fleet]', '[Unit]', '[Service]', '[X-Fleet]  \t') },
  { weight: 2, arbitrary: fc.tuple(chars('#;'), xFleetValue).map(([c, v]) => `${c}${v}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '  ', '\t', 'junk', '[broken', '[X-Fleet] junk', '=', '[Un\nit]') },
  { weight: 1, arbitrary: fc.constantFrom('\ud800', 'x'.repeat(2045), 'é'.repeat(1023), 'Global=' + 'y'.repeat(2040)) },
);

/** Text dense in [X-Fleet] sections, requirement keys and the lexer's quirks (not always valid). */
export const xFleetUnitText = fc
  .tuple(fc.array(fc.tuple(xFleetLine, fc.constantFrom('\n', '\n', '\r\n', '\r')), { maxLength: 20 }), fc.boolean())
  .map(([lines, final]) => {
    const joined = lines.map(([l, end]) => l + end).join('');
    return final ? joined : joined.replace(/\r?\n?$/u, '');
  });
