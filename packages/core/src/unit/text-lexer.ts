import { BACKSLASH, CR, EQUALS, HASH, LF, OPEN_BRACKET, SEMICOLON, SPACE } from './char-codes.js';
import { isGoSpace, trimGoSpace } from './go-strings.js';
import { MAX_UNIT_FILE_BYTES, MAX_UNIT_LINE_BYTES } from './limits.js';
import type { UnitOption } from './unit-file.js';

/**
 * The lexer of `lexer.ts` run on the string itself, line by line, for text where that yields the
 * same options: no lone surrogate (characters and UTF-8 bytes then correspond one to one), at most
 * MAX_UNIT_FILE_BYTES, and no run of 2048 bytes without a line break (go-systemd's line check,
 * which looks at 2048 buffered bytes, can then never fire). Without the byte copy, the Go reader
 * model and the per-rune steps it takes a third of the byte model's time, which counts when a new
 * engine leader reads 10,000 units.
 *
 * Returns undefined for text outside that domain and for text the lexer rejects: the byte model
 * (`lexUnitBytes`) then gives the verdict and the error.
 */
export function lexPlainUnitText(text: string): UnitOption[] | undefined {
  if (!isPlainText(text)) return undefined;
  const options: UnitOption[] = [];
  const n = text.length;
  let current: string | null = null; // before the first header: junk
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (current !== null && isGoSpace(c)) {
      i++;
    } else if (c === OPEN_BRACKET) {
      // The name runs verbatim to the first `]`, newlines included; only space may follow it.
      const close = text.indexOf(']', i + 1);
      if (close < 0) return undefined;
      current = text.slice(i + 1, close);
      const lf = text.indexOf('\n', close + 1);
      if (!isGoSpaceRange(text, close + 1, lineEnd(text, close + 1, lf))) return undefined;
      i = lf < 0 ? n : lf + 1;
    } else if (c === HASH || c === SEMICOLON) {
      i = afterComment(text, i + 1);
    } else if (current === null) {
      i++;
    } else {
      const nameStart = i;
      while (i < n && text.charCodeAt(i) !== EQUALS) {
        const d = text.charCodeAt(i);
        if (d === LF || d === CR) return undefined; // newline in an option name
        i++;
      }
      if (i === n) return undefined; // end of input in an option name
      const nameEnd = i++;
      // One physical line at a time: a non-blank line ending in a backslash continues the value.
      let value = '';
      for (;;) {
        const lf = text.indexOf('\n', i);
        const end = lineEnd(text, i, lf);
        const next = lf < 0 ? n : lf + 1;
        const blank = isGoSpaceRange(text, i, end);
        const more = !blank && text.charCodeAt(end - 1) === BACKSLASH;
        // A continued line keeps its backslash and, unless it is the last, its newline.
        if (!blank) value += text.slice(i, end) + (more && lf >= 0 ? '\n' : '');
        i = next;
        if (!more) break;
      }
      const name = trimGoSpace(text.slice(nameStart, nameEnd));
      const trimmed = trimGoSpace(value);
      // A value that ended in backslash-newline keeps its final newline.
      options.push({ section: current, name, value: value.endsWith('\n') ? `${trimmed}\n` : trimmed });
    }
  }
  return options;
}

/**
 * go-systemd's toEOL for the line starting at `start` whose `\n` is at `lf` (-1: none before the
 * end): the end of its text. Only at the end of input is a final `\r` dropped (Go drops `\r`, then
 * `\n`, from the end of what it read: before a `\n` the `\r` stays).
 */
function lineEnd(text: string, start: number, lf: number): number {
  if (lf >= 0) return lf;
  const n = text.length;
  return n > start && text.charCodeAt(n - 1) === CR ? n - 1 : n;
}

/** Skips a comment's lines: a trailing backslash (one space after it tolerated) continues it. */
function afterComment(text: string, start: number): number {
  let i = start;
  for (;;) {
    const lf = text.indexOf('\n', i);
    let end = lineEnd(text, i, lf);
    const next = lf < 0 ? text.length : lf + 1;
    if (end > i && text.charCodeAt(end - 1) === SPACE) end--;
    if (!(end > i && text.charCodeAt(end - 1) === BACKSLASH)) return next;
    i = next;
  }
}

function isGoSpaceRange(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isGoSpace(text.charCodeAt(i))) return false;
  return true;
}

const ASCII = /^[\0-\x7f]*$/u;

/** The domain where characters stand for bytes: see lexPlainUnitText. */
function isPlainText(text: string): boolean {
  if (text.length > MAX_UNIT_FILE_BYTES) return false;
  // The common case, checked natively: ASCII too short to hold a long line.
  if (text.length < MAX_UNIT_LINE_BYTES && ASCII.test(text)) return true;
  let bytes = 0;
  let run = 0; // bytes since the last line break
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let size: number;
    if (c === LF || c === CR) {
      run = 0;
      bytes++;
      continue;
    } else if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c < 0xd800 || c > 0xdfff) size = 3;
    else {
      // A surrogate pair is one 4-byte character; a lone surrogate has no UTF-8 form.
      const low = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return false;
      i++;
      size = 4;
    }
    bytes += size;
    run += size;
    if (run >= MAX_UNIT_LINE_BYTES) return false;
  }
  return bytes <= MAX_UNIT_FILE_BYTES;
}
