/**
 * Go's `unicode/utf8` decoding on byte arrays: the byte-level views (lexer, glob matcher) must
 * treat invalid or cut sequences as Go does, one U+FFFD per bad byte.
 */
export const RUNE_ERROR = 0xfffd;

export interface DecodedRune {
  readonly rune: number;
  readonly size: number;
}

/** Length of the sequence a lead byte announces; 1 for ASCII and for bytes that cannot lead. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}

/** Go's `utf8.DecodeRune(b[start:end])`. */
export function decodeRune(b: Uint8Array, start: number, end: number = b.length): DecodedRune {
  if (start >= end) return { rune: RUNE_ERROR, size: 0 };
  const b0 = b[start]!;
  if (b0 < 0x80) return { rune: b0, size: 1 };
  const need = sequenceLength(b0);
  if (need === 1 || end - start < need) return { rune: RUNE_ERROR, size: 1 };
  let rune = b0 & (need === 2 ? 0x1f : need === 3 ? 0x0f : 0x07);
  for (let i = 1; i < need; i++) {
    const bi = b[start + i]!;
    if ((bi & 0xc0) !== 0x80) return { rune: RUNE_ERROR, size: 1 };
    rune = (rune << 6) | (bi & 0x3f);
  }
  const overlong = (need === 3 && rune < 0x800) || (need === 4 && rune < 0x10000);
  if (overlong || (rune >= 0xd800 && rune <= 0xdfff) || rune > 0x10ffff) {
    return { rune: RUNE_ERROR, size: 1 };
  }
  return { rune, size: need };
}

/** Go's `utf8.FullRune(b[start:end])`: enough bytes for one rune (or for a certain error). */
export function fullRune(b: Uint8Array, start: number, end: number): boolean {
  if (end <= start) return false;
  const need = sequenceLength(b[start]!);
  if (end - start >= need) return true;
  for (let i = start + 1; i < end; i++) if ((b[i]! & 0xc0) !== 0x80) return true;
  return false;
}
