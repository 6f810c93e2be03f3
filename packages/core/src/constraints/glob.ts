import { decodeRune, RUNE_ERROR } from '../unit/utf8.js';

/**
 * Glob matching with Go's `path.Match`, which fleet used for Conflicts= and Replaces=:
 * `*` (any run of non-`/` bytes), `?` (one non-`/` character), `[a-z]`, `[^a-z]` (classes may
 * match `/`), `\` escapes. A malformed pattern matches nothing, as in fleet (which ignored the
 * error). The matcher walks UTF-8 bytes chunk by chunk like Go does, so results agree with fleet
 * even on odd inputs (reversed ranges such as `[z-a]` are legal and match nothing).
 */

const encoder = new TextEncoder();

const SLASH = 0x2f;
const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const DASH = 0x2d;

/** matchChunk's "no match" and "bad pattern" results (a rest offset is ≥ 0). */
const NO_MATCH = -1;
const BAD_PATTERN = -2;

type MatchResult = boolean | 'bad';

export function matchGlob(pattern: string, name: string): boolean {
  return goPathMatch(encoder.encode(pattern), encoder.encode(name)) === true;
}

/** True when Go's `path.Match` would not report ErrBadPattern for this pattern. */
export function isValidGlob(pattern: string): boolean {
  return goPathMatch(encoder.encode(pattern), new Uint8Array(0)) !== 'bad';
}

function goPathMatch(p: Uint8Array, name: Uint8Array): MatchResult {
  let pi = 0;
  let ni = 0;
  pattern: while (pi < p.length) {
    const chunk = scanChunk(p, pi);
    pi = chunk.end;
    if (chunk.star && chunk.start === chunk.end) {
      // A trailing * matches the rest unless it holds a '/'.
      return name.indexOf(SLASH, ni) < 0;
    }
    let t = matchChunk(p, chunk.start, chunk.end, name, ni);
    // The last chunk must use up the name; otherwise a star may still find a later match.
    if (t >= 0 && (t === name.length || pi < p.length)) {
      ni = t;
      continue;
    }
    if (t === BAD_PATTERN) return 'bad';
    if (chunk.star) {
      for (let i = ni; i < name.length && name[i] !== SLASH; i++) {
        t = matchChunk(p, chunk.start, chunk.end, name, i + 1);
        if (t >= 0) {
          if (pi === p.length && t < name.length) continue;
          ni = t;
          continue pattern;
        }
        if (t === BAD_PATTERN) return 'bad';
      }
    }
    // No match; Go still reports a malformed remainder as an error.
    while (pi < p.length) {
      const rest = scanChunk(p, pi);
      pi = rest.end;
      if (matchChunk(p, rest.start, rest.end, name, name.length) === BAD_PATTERN) return 'bad';
    }
    return false;
  }
  return ni === name.length;
}

/** A run of single-character terms p[start, end), after optional leading stars. */
interface Chunk {
  readonly star: boolean;
  readonly start: number;
  readonly end: number;
}

/** The next chunk: optional leading stars, then everything up to an unbracketed `*`. */
function scanChunk(p: Uint8Array, from: number): Chunk {
  let i = from;
  let star = false;
  while (i < p.length && p[i] === STAR) {
    i++;
    star = true;
  }
  const start = i;
  let inRange = false;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === BACKSLASH) {
      if (i + 1 < p.length) i++;
    } else if (c === OPEN) {
      inRange = true;
    } else if (c === CLOSE) {
      inRange = false;
    } else if (c === STAR && !inRange) {
      break;
    }
  }
  return { star, start, end: i };
}

/**
 * Matches p[cs, ce) (no stars) at s[si…]: the offset after the match, NO_MATCH or BAD_PATTERN.
 * After a mismatch the chunk is still parsed to the end, so malformed syntax is always seen.
 */
function matchChunk(p: Uint8Array, cs: number, ce: number, s: Uint8Array, from: number): number {
  let failed = false;
  let si = from;
  let c = cs;
  while (c < ce) {
    if (!failed && si >= s.length) failed = true;
    const ch = p[c];
    if (ch === OPEN) {
      let r = -1;
      if (!failed) {
        const d = decodeRune(s, si, s.length);
        r = d.rune;
        si += d.size;
      }
      c++;
      let negated = false;
      if (c < ce && p[c] === CARET) {
        negated = true;
        c++;
      }
      let match = false;
      let ranges = 0;
      for (;;) {
        if (c < ce && p[c] === CLOSE && ranges > 0) {
          c++;
          break;
        }
        const lo = classChar(p, c, ce);
        if (lo === null) return BAD_PATTERN;
        c = lo.next;
        let hi = lo.rune;
        if (p[c] === DASH) {
          const h = classChar(p, c + 1, ce);
          if (h === null) return BAD_PATTERN;
          hi = h.rune;
          c = h.next;
        }
        if (lo.rune <= r && r <= hi) match = true;
        ranges++;
      }
      if (match === negated) failed = true;
    } else if (ch === QUESTION) {
      if (!failed) {
        if (s[si] === SLASH) failed = true;
        si += decodeRune(s, si, s.length).size;
      }
      c++;
    } else {
      if (ch === BACKSLASH) {
        c++;
        if (c >= ce) return BAD_PATTERN;
      }
      if (!failed) {
        if (p[c] !== s[si]) failed = true;
        si++;
      }
      c++;
    }
  }
  return failed ? NO_MATCH : si;
}

/** Go's getEsc: one possibly escaped class character, which must be followed by more pattern. */
function classChar(p: Uint8Array, at: number, end: number): { rune: number; next: number } | null {
  let c = at;
  if (c >= end || p[c] === DASH || p[c] === CLOSE) return null;
  if (p[c] === BACKSLASH) {
    c++;
    if (c >= end) return null;
  }
  const d = decodeRune(p, c, end);
  if (d.rune === RUNE_ERROR && d.size === 1) return null;
  c += d.size;
  if (c >= end) return null;
  return { rune: d.rune, next: c };
}
