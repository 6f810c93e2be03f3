import { matchGlob } from '@fleet/core';

/**
 * Helpers to evaluate Conflicts=/Replaces= patterns against every unit name without testing each
 * pattern against each name: literal patterns are plain lookups, globs only scan the sorted names
 * that share their literal prefix.
 */

const GLOB_META = /[*?[\\]/;

/** A pattern without glob syntax matches exactly one name: itself (Go path.Match). */
export function isLiteralPattern(pattern: string): boolean {
  return !GLOB_META.test(pattern);
}

/** The text before the first glob metacharacter: every match starts with it. */
function literalPrefix(pattern: string): string {
  const at = pattern.search(GLOB_META);
  return at === -1 ? pattern : pattern.slice(0, at);
}

/** First index in `sorted` whose value is >= `key`. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Names (from `sorted`, ascending) that `pattern` matches, in ascending order. */
export function namesMatching(pattern: string, sorted: readonly string[]): string[] {
  if (isLiteralPattern(pattern)) {
    const at = lowerBound(sorted, pattern);
    return sorted[at] === pattern ? [pattern] : [];
  }
  const prefix = literalPrefix(pattern);
  const out: string[] = [];
  for (let i = lowerBound(sorted, prefix); i < sorted.length; i++) {
    const name = sorted[i]!;
    if (!name.startsWith(prefix)) break;
    if (matchGlob(pattern, name)) out.push(name);
  }
  return out;
}

/** Deduplicates while keeping first-seen order. */
export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Code-unit order, the same order `Array.prototype.sort` gives strings. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
