import type { ConstrainedUnit } from '@fleet/core';
import { isLiteralPattern, namesMatching, unique } from './glob-scan.js';

/**
 * Conflicts= patterns of every unit, split so that "does unit U conflict with anything on machine
 * M" is a handful of map lookups (see Occupancy) instead of a scan of M's units:
 * literal patterns are names; glob patterns are matched once against all unit names up front.
 */
export interface ConflictIndex {
  /** Literal Conflicts= names of a unit, without its own name (a unit never conflicts with itself). */
  literals(unit: string): readonly string[];
  /** Glob Conflicts= patterns of a unit (a malformed one simply matches nothing). */
  globs(unit: string): readonly string[];
  /** Glob patterns (of any unit) that match this unit's name. */
  globsMatching(unit: string): readonly string[];
  /** Whether some other unit names this one literally in Conflicts=. */
  namedLiterally(unit: string): boolean;
}

const NONE: readonly string[] = [];

export function indexConflicts(
  units: ReadonlyMap<string, ConstrainedUnit>,
  sortedNames: readonly string[],
): ConflictIndex {
  const literals = new Map<string, string[]>();
  const globs = new Map<string, string[]>();
  const literalTargets = new Set<string>();
  const allGlobs = new Set<string>();

  for (const name of sortedNames) {
    const patterns = unique(units.get(name)!.requirements.conflicts);
    const lits: string[] = [];
    const gls: string[] = [];
    for (const p of patterns) {
      if (isLiteralPattern(p)) {
        if (p !== name) lits.push(p);
      } else {
        gls.push(p);
      }
    }
    if (lits.length > 0) {
      literals.set(name, lits);
      for (const l of lits) literalTargets.add(l);
    }
    if (gls.length > 0) {
      globs.set(name, gls);
      for (const g of gls) allGlobs.add(g);
    }
  }

  const matching = new Map<string, string[]>();
  for (const glob of [...allGlobs].sort()) {
    for (const name of namesMatching(glob, sortedNames)) {
      const list = matching.get(name);
      if (list === undefined) matching.set(name, [glob]);
      else list.push(glob);
    }
  }

  return {
    literals: (unit) => literals.get(unit) ?? NONE,
    globs: (unit) => globs.get(unit) ?? NONE,
    globsMatching: (unit) => matching.get(unit) ?? NONE,
    namedLiterally: (unit) => literalTargets.has(unit),
  };
}
