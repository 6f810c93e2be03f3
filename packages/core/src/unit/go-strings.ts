/**
 * The few Go string behaviours fleet's texts depend on: `unicode.IsSpace`, `strings.TrimSpace`,
 * `strings.Fields` and the `%q` verb. JavaScript's own `trim()`/`\s` differ (they treat U+FEFF as
 * space and U+0085 as not), so fleet's exact results need these.
 */

/** Go's `unicode.IsSpace`. */
export function isGoSpace(codePoint: number): boolean {
  switch (codePoint) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return codePoint >= 0x2000 && codePoint <= 0x200a;
  }
}

/**
 * Go's `strings.TrimSpace`. Every space is one UTF-16 unit outside the surrogates, so trimming
 * units trims code points.
 */
export function trimGoSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isGoSpace(text.charCodeAt(start))) start++;
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Go's `strings.Fields`: the runs of non-space characters. */
export function splitGoFields(text: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (const ch of text) {
    if (isGoSpace(ch.codePointAt(0)!)) {
      if (current !== '') fields.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current !== '') fields.push(current);
  return fields;
}

/** Number of bytes `text` takes in UTF-8 (Go's `len(s)`); lone surrogates count as U+FFFD. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Go's `%q` of a string (`strconv.Quote`). */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) out += escapeRune(normaliseRune(ch.codePointAt(0)!), '"');
  return `${out}"`;
}

/** Go's `%q` of a rune (`strconv.QuoteRune`). */
export function goQuoteRune(codePoint: number): string {
  return `'${escapeRune(normaliseRune(codePoint), "'")}'`;
}

const REPLACEMENT = 0xfffd;

/** A lone surrogate cannot exist in a Go string: it arrives as invalid UTF-8, i.e. U+FFFD. */
function normaliseRune(codePoint: number): number {
  return codePoint >= 0xd800 && codePoint <= 0xdfff ? REPLACEMENT : codePoint;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `unicode.IsPrint` (letters, marks, numbers, punctuation, symbols and ASCII space). */
function isGoPrint(codePoint: number): boolean {
  if (codePoint <= 0xff) {
    return (codePoint >= 0x20 && codePoint < 0x7f) || (codePoint >= 0xa1 && codePoint !== 0xad);
  }
  return PRINTABLE.test(String.fromCodePoint(codePoint));
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

function escapeRune(codePoint: number, quote: string): string {
  const ch = String.fromCodePoint(codePoint);
  if (ch === quote || ch === '\\') return `\\${ch}`;
  if (isGoPrint(codePoint)) return ch;
  switch (codePoint) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
    default:
      if (codePoint < 0x20 || codePoint === 0x7f) return `\\x${hex(codePoint, 2)}`;
      if (codePoint < 0x10000) return `\\u${hex(codePoint, 4)}`;
      return `\\U${hex(codePoint, 8)}`;
  }
}
