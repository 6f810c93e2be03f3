import { matchGlob, unitsConflict, type ConstrainedUnit, type MachineInfo } from '@fleet/core';
import type { ConflictIndex } from './conflict-index.js';
import { compareStrings } from './glob-scan.js';
import type { ReplaceGraph } from './replace-graph.js';

/** What an Occupancy needs to know about every unit. */
export interface UnitRelations {
  readonly units: ReadonlyMap<string, ConstrainedUnit>;
  readonly conflicts: ConflictIndex;
  readonly replace: ReplaceGraph;
}

const NO_UNITS: readonly string[] = [];

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}

/**
 * The units one machine runs during a planning pass (scheduled units plus the global units that
 * apply there), with counters that answer "would unit U conflict here?" in time proportional to
 * U's own patterns, not to the number of units on the machine.
 */
export class Occupancy {
  private readonly present = new Set<string>();
  /** glob → number of present units whose name it matches */
  private readonly globHits = new Map<string, number>();
  /** literal Conflicts= name → number of present units listing it */
  private readonly ownedLiterals = new Map<string, number>();
  /** glob → number of present units listing it in Conflicts= */
  private readonly ownedGlobs = new Map<string, number>();
  /** present units that displace some other unit (Replaces=) */
  private readonly displacers = new Set<string>();

  constructor(
    readonly machine: MachineInfo,
    private readonly relations: UnitRelations,
  ) {}

  get load(): number {
    return this.present.size;
  }

  has(unit: string): boolean {
    return this.present.has(unit);
  }

  /** Present units in name order. */
  names(): string[] {
    return [...this.present].sort(compareStrings);
  }

  add(unit: string): void {
    if (this.present.has(unit)) return;
    this.present.add(unit);
    this.count(unit, 1);
  }

  remove(unit: string): void {
    if (!this.present.delete(unit)) return;
    this.count(unit, -1);
  }

  private count(unit: string, by: 1 | -1): void {
    const { conflicts, replace } = this.relations;
    for (const g of conflicts.globsMatching(unit)) bump(this.globHits, g, by);
    for (const l of conflicts.literals(unit)) bump(this.ownedLiterals, l, by);
    for (const g of conflicts.globs(unit)) bump(this.ownedGlobs, g, by);
    if (replace.targets(unit).size > 0) {
      if (by > 0) this.displacers.add(unit);
      else this.displacers.delete(unit);
    }
  }

  /** Whether `unit` conflicts (either direction) with another unit present here. */
  conflicts(unit: string): boolean {
    const { conflicts } = this.relations;
    const self = this.present.has(unit);
    for (const l of conflicts.literals(unit)) {
      if (this.present.has(l)) return true;
    }
    const own = conflicts.globs(unit);
    for (const g of own) {
      const hits = (this.globHits.get(g) ?? 0) - (self && matchGlob(g, unit) ? 1 : 0);
      if (hits > 0) return true;
    }
    if (conflicts.namedLiterally(unit) && (this.ownedLiterals.get(unit) ?? 0) > 0) return true;
    for (const g of conflicts.globsMatching(unit)) {
      const owners = (this.ownedGlobs.get(g) ?? 0) - (self && own.includes(g) ? 1 : 0);
      if (owners > 0) return true;
    }
    return false;
  }

  /** The first (by name) present unit that conflicts with `unit`; used only to explain. */
  conflictingUnit(unit: string): string | undefined {
    const { units } = this.relations;
    const subject = units.get(unit);
    if (subject === undefined) return undefined;
    return this.names().find((other) => unitsConflict(subject, units.get(other)!));
  }

  /** Whether some present unit displaces others (Replaces=); false on almost every machine. */
  hasDisplacers(): boolean {
    return this.displacers.size > 0;
  }

  /** The first (by name) present unit that displaces `unit` (Replaces=), if any. */
  displacer(unit: string): string | undefined {
    let first: string | undefined;
    for (const d of this.displacers) {
      if (this.relations.replace.targets(d).has(unit) && (first === undefined || d < first)) first = d;
    }
    return first;
  }

  /** Present units that `unit` displaces, in name order. */
  displacedBy(unit: string): readonly string[] {
    const targets = this.relations.replace.targets(unit);
    if (targets.size === 0) return NO_UNITS;
    const out: string[] = [];
    if (targets.size < this.present.size) {
      for (const t of targets) if (this.present.has(t)) out.push(t);
    } else {
      for (const p of this.present) if (targets.has(p)) out.push(p);
    }
    return out.sort(compareStrings);
  }
}
