import { UnitParseError } from '../errors.js';
import { BACKSLASH, CLOSE_BRACKET, CR, EQUALS, LF, OPEN_BRACKET, SPACE } from './char-codes.js';
import { GoBufferedReader } from './go-buffered-reader.js';
import { isGoSpace, goQuote, trimGoSpace } from './go-strings.js';
import { MAX_UNIT_FILE_BYTES, MAX_UNIT_LINE_BYTES } from './limits.js';
import { lexPlainUnitText } from './text-lexer.js';
import type { UnitFile, UnitOption } from './unit-file.js';

/**
 * The unit-file lexer of go-systemd (`unit.Deserialize`) as fleet vendored it, step for step:
 * the same states, the same byte reads and the same 2048-byte line check between steps. The input
 * is handled as UTF-8 bytes because Go's limits and reads are in bytes.
 */

export { MAX_UNIT_FILE_BYTES, MAX_UNIT_LINE_BYTES };

export const LEXER_ERRORS = {
  lineTooLong: `line too long (max ${MAX_UNIT_LINE_BYTES} bytes)`,
  noSectionEnd: 'unable to find end of section',
  newlineInOptionName: 'unexpected newline encountered while parsing option name',
  eofInOptionName: 'unexpected end of file while parsing option name',
} as const;

const encoder = new TextEncoder();
// ignoreBOM keeps a U+FEFF at the start of a piece (the default would silently drop it).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

type Step =
  | { readonly kind: 'nextSection' }
  | { readonly kind: 'sectionName' }
  | { readonly kind: 'sectionSuffix'; readonly section: string }
  | { readonly kind: 'nextSectionOrOption'; readonly section: string }
  | { readonly kind: 'ignoreLine'; readonly section: string | null }
  | { readonly kind: 'optionName'; readonly section: string }
  | {
      readonly kind: 'optionValue';
      readonly section: string;
      readonly name: string;
      readonly partial: string;
    };

/**
 * Parses unit-file text into its ordered options; throws UnitParseError like fleet rejects. Plain
 * text — nearly every unit file — takes the string lexer of text-lexer.ts (a third of the time: a
 * new engine leader parses every unit); the byte model below decides the rest and words the errors.
 */
export function parseUnitFile(text: string): UnitFile {
  return { options: lexPlainUnitText(text) ?? lexUnitBytes(text) };
}

/** go-systemd's lexer on the text's UTF-8 bytes, step by step: the reference for the fast path. */
export function lexUnitBytes(text: string): UnitOption[] {
  const data = encoder.encode(text);
  if (data.length > MAX_UNIT_FILE_BYTES) {
    throw new UnitParseError(
      `unit file is ${data.length} bytes, larger than the ${MAX_UNIT_FILE_BYTES}-byte limit`,
    );
  }
  return new Lexer(data).run();
}

class Lexer {
  private readonly reader: GoBufferedReader;
  private readonly options: UnitOption[] = [];

  constructor(private readonly data: Uint8Array) {
    this.reader = new GoBufferedReader(data);
  }

  run(): UnitOption[] {
    let step: Step | null = { kind: 'nextSection' };
    while (step !== null) {
      // go-systemd checks before every step: 2048 buffered bytes without a line break.
      if (
        this.reader.buffered() >= MAX_UNIT_LINE_BYTES &&
        !this.reader.peekHasLineBreak(MAX_UNIT_LINE_BYTES)
      ) {
        throw new UnitParseError(LEXER_ERRORS.lineTooLong, this.lineAt(this.reader.position));
      }
      step = this.next(step);
    }
    return this.options;
  }

  private next(step: Step): Step | null {
    switch (step.kind) {
      case 'nextSection':
        return this.nextSection();
      case 'sectionName':
        return this.sectionName();
      case 'sectionSuffix':
        return this.sectionSuffix(step.section);
      case 'nextSectionOrOption':
        return this.nextSectionOrOption(step.section);
      case 'ignoreLine':
        return this.ignoreLine(step.section);
      case 'optionName':
        return this.optionName(step.section);
      case 'optionValue':
        return this.optionValue(step);
    }
  }

  /** Before the first header everything but `[` and comment starts is skipped. */
  private nextSection(): Step | null {
    const r = this.reader.readRune();
    if (r === null) return null;
    if (r.rune === OPEN_BRACKET) return { kind: 'sectionName' };
    if (isCommentStart(r.rune)) return { kind: 'ignoreLine', section: null };
    return { kind: 'nextSection' };
  }

  /** The name runs verbatim up to the first `]`, newlines included. */
  private sectionName(): Step {
    const bracket = this.reader.position - 1;
    const read = this.reader.readBytes(CLOSE_BRACKET);
    if (read.eof) throw new UnitParseError(LEXER_ERRORS.noSectionEnd, this.lineAt(bracket));
    return { kind: 'sectionSuffix', section: this.text(read.start, read.end - 1) };
  }

  private sectionSuffix(section: string): Step {
    const start = this.reader.position;
    const [s, e] = this.toEndOfLine().range;
    const garbage = trimGoSpace(this.text(s, e));
    if (garbage !== '') {
      // go-systemd printed an always-empty name here; we print the section it meant.
      throw new UnitParseError(
        `found garbage after section name ${section}: ${goQuote(garbage)}`,
        this.lineAt(start),
      );
    }
    return { kind: 'nextSectionOrOption', section };
  }

  private nextSectionOrOption(section: string): Step | null {
    const r = this.reader.readRune();
    if (r === null) return null;
    if (isGoSpace(r.rune)) return { kind: 'nextSectionOrOption', section };
    if (r.rune === OPEN_BRACKET) return { kind: 'sectionName' };
    if (isCommentStart(r.rune)) return { kind: 'ignoreLine', section };
    this.reader.unreadRune();
    return { kind: 'optionName', section };
  }

  /** A comment line; a trailing backslash (one space after it tolerated) continues it. */
  private ignoreLine(section: string | null): Step {
    for (;;) {
      const [s, e] = this.toEndOfLine().range;
      let end = e;
      if (end > s && this.data[end - 1] === SPACE) end--;
      if (!(end > s && this.data[end - 1] === BACKSLASH)) break;
    }
    return section === null ? { kind: 'nextSection' } : { kind: 'nextSectionOrOption', section };
  }

  private optionName(section: string): Step {
    const start = this.reader.position;
    for (;;) {
      const at = this.reader.position;
      const r = this.reader.readRune();
      if (r === null) throw new UnitParseError(LEXER_ERRORS.eofInOptionName, this.lineAt(start));
      if (r.rune === LF || r.rune === CR) {
        throw new UnitParseError(LEXER_ERRORS.newlineInOptionName, this.lineAt(at));
      }
      if (r.rune === EQUALS) {
        const name = trimGoSpace(this.text(start, at));
        return { kind: 'optionValue', section, name, partial: '' };
      }
    }
  }

  /**
   * One physical line of a value. A line ending in a backslash keeps the backslash, adds a
   * newline (unless at end of input) and continues on the next line, which is read raw; a
   * blank line ends the value.
   */
  private optionValue(step: Extract<Step, { kind: 'optionValue' }>): Step {
    const { range, eof } = this.toEndOfLine();
    const [s, e] = range;
    let partial = step.partial;
    const line = this.text(s, e);
    if (trimGoSpace(line) !== '') {
      partial += line;
      if (e > s && this.data[e - 1] === BACKSLASH) {
        if (!eof) partial += '\n';
        return { ...step, partial };
      }
    }
    // A value that ended in backslash-newline keeps its final newline.
    const value = partial.endsWith('\n') ? `${trimGoSpace(partial)}\n` : trimGoSpace(partial);
    this.options.push({ section: step.section, name: step.name, value });
    return { kind: 'nextSectionOrOption', section: step.section };
  }

  /** go-systemd's toEOL: read through `\n`, then drop one `\r` and then one `\n` at the end. */
  private toEndOfLine(): { range: [number, number]; eof: boolean } {
    const read = this.reader.readBytes(LF);
    let end = read.end;
    // Order matters: for "x\r\n" only the \n goes, the \r stays (as in Go).
    if (end > read.start && this.data[end - 1] === CR) end--;
    if (end > read.start && this.data[end - 1] === LF) end--;
    return { range: [read.start, end], eof: read.eof };
  }

  private text(start: number, end: number): string {
    return decoder.decode(this.data.subarray(start, end));
  }

  /** 1-based line number of a byte offset. */
  private lineAt(offset: number): number {
    let line = 1;
    for (let i = 0; i < offset && i < this.data.length; i++) if (this.data[i] === LF) line++;
    return line;
  }
}

function isCommentStart(rune: number): boolean {
  return rune === 0x23 /* # */ || rune === 0x3b /* ; */;
}
