/**
 * Glob matching with Go's `path.Match` syntax, which fleet used for Conflicts= and Replaces=:
 * `*` (any run of non-`/` characters), `?` (one non-`/` character), `[a-z]`, `[^a-z]` and `\`
 * escapes. A malformed pattern matches nothing, as in fleet (the error was ignored there).
 */
const cache = new Map<string, RegExp | null>();

export function matchGlob(pattern: string, name: string): boolean {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = compileGlob(pattern);
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, re);
  }
  return re !== null && re.test(name);
}

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/** Translates a pattern to an anchored RegExp, or null when Go would report ErrBadPattern. */
export function compileGlob(pattern: string): RegExp | null {
  let out = '^';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '*') {
      out += '[^/]*';
      i++;
    } else if (ch === '?') {
      out += '[^/]';
      i++;
    } else if (ch === '\\') {
      if (i + 1 >= pattern.length) return null;
      out += escapeRegex(pattern[i + 1]!);
      i += 2;
    } else if (ch === '[') {
      const cls = compileClass(pattern, i + 1);
      if (cls === null) return null;
      out += cls.source;
      i = cls.end;
    } else {
      out += escapeRegex(ch);
      i++;
    }
  }
  return new RegExp(`${out}$`, 'u');
}

/** Parses a character class starting after `[`; returns its regex and the index after `]`. */
function compileClass(pattern: string, start: number): { source: string; end: number } | null {
  let i = start;
  let negate = false;
  if (pattern[i] === '^') {
    negate = true;
    i++;
  }
  const ranges: string[] = [];
  let first = true;
  for (;;) {
    if (i >= pattern.length) return null;
    if (pattern[i] === ']' && !first) break;
    first = false;
    const lo = classChar(pattern, i);
    if (lo === null) return null;
    i = lo.end;
    let hi = lo;
    if (pattern[i] === '-') {
      const h = classChar(pattern, i + 1);
      if (h === null) return null;
      hi = h;
      i = h.end;
      if (hi.ch < lo.ch) return null;
    }
    ranges.push(lo.ch === hi.ch ? escapeRegex(lo.ch) : `${escapeRegex(lo.ch)}-${escapeRegex(hi.ch)}`);
  }
  // Go's classes never match '/', negated or not.
  const body = ranges.join('');
  const source = negate ? `[^/${body}]` : `(?!/)[${body}]`;
  return { source, end: i + 1 };
}

function classChar(pattern: string, i: number): { ch: string; end: number } | null {
  const ch = pattern[i];
  if (ch === undefined || ch === '-' || ch === ']') return null;
  if (ch === '\\') {
    const next = pattern[i + 1];
    if (next === undefined) return null;
    return { ch: next, end: i + 2 };
  }
  return { ch, end: i + 1 };
}
