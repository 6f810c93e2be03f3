import { replaces, type ConstrainedUnit } from '@fleet/core';
import { namesMatching, unique } from './glob-scan.js';
import { stronglyConnected } from './strongly-connected.js';

/**
 * Replaces= as a graph over non-global units: an edge Y → X means "Y displaces X": when both sit on
 * one machine, X must move elsewhere. fleet ignored mutual replacement (each replacing the other) to
 * avoid endless moves; we extend that to longer cycles (A replaces B replaces C replaces A), whose
 * edges are ignored as well, so every chain of moves within a pass ends.
 */
export interface ReplaceGraph {
  /** Units that `unit` displaces; empty for most units. */
  targets(unit: string): ReadonlySet<string>;
  /** Whether the unit displaces, or can be displaced by, another unit. */
  involved(unit: string): boolean;
}

const EMPTY: ReadonlySet<string> = new Set();
const NONE: readonly string[] = [];

export function buildReplaceGraph(
  units: ReadonlyMap<string, ConstrainedUnit>,
  sortedNonGlobal: readonly string[],
): ReplaceGraph {
  const edges = new Map<string, string[]>();
  for (const name of sortedNonGlobal) {
    const unit = units.get(name)!;
    if (unit.requirements.replaces.length === 0) continue;
    const targets = new Set<string>();
    for (const pattern of unique(unit.requirements.replaces)) {
      for (const target of namesMatching(pattern, sortedNonGlobal)) {
        if (replaces(unit, units.get(target)!)) targets.add(target);
      }
    }
    if (targets.size > 0) edges.set(name, [...targets].sort());
  }
  if (edges.size === 0) return { targets: () => EMPTY, involved: () => false };

  const edgesOf = (node: string) => edges.get(node) ?? NONE;
  const component = new Map<string, number>();
  stronglyConnected([...edges.keys()], edgesOf).forEach((members, id) => {
    for (const member of members) component.set(member, id);
  });

  const displaced = new Map<string, Set<string>>();
  const involved = new Set<string>();
  for (const [from, tos] of edges) {
    for (const to of tos) {
      if (component.get(from) === component.get(to)) continue;
      let set = displaced.get(from);
      if (set === undefined) displaced.set(from, (set = new Set()));
      set.add(to);
      involved.add(from);
      involved.add(to);
    }
  }
  return {
    targets: (unit) => displaced.get(unit) ?? EMPTY,
    involved: (unit) => involved.has(unit),
  };
}
