import type { UnitRequirements } from '../model.js';
import { matchGlob } from './glob.js';

/**
 * The `[X-Fleet]` predicates that the engine (placing units) and the agent (deciding what it runs)
 * must agree on. Kept here so both sides evaluate exactly the same rules (fleet.md §1.4).
 */

/** A unit as the constraint rules see it: its name and its resolved `[X-Fleet]` requirements. */
export interface ConstrainedUnit {
  readonly name: string;
  readonly requirements: UnitRequirements;
}

/** Length of fleet's short machine id (the `MACHINE` column before `...`). */
export const SHORT_MACHINE_ID_LENGTH = 8;

/** The 8-character form of a machine id, as fleetctl prints it. */
export function shortMachineId(machineId: string): string {
  return machineId.slice(0, SHORT_MACHINE_ID_LENGTH);
}

/** MachineID= accepts the full machine id or its 8-character short id (fleet's MatchID). */
export function machineIdMatches(required: string, machineId: string): boolean {
  if (required === machineId) return true;
  return (
    required.length === SHORT_MACHINE_ID_LENGTH &&
    machineId.length >= SHORT_MACHINE_ID_LENGTH &&
    shortMachineId(machineId) === required
  );
}

/**
 * MachineMetadata=: every required key must be present with one of its allowed values (OR within a
 * key, AND across keys). No requirement is always satisfied; a key with no allowed values never is.
 */
export function metadataSatisfied(
  required: Readonly<Record<string, readonly string[]>>,
  machineMetadata: Readonly<Record<string, string>>,
): boolean {
  for (const [key, allowed] of Object.entries(required)) {
    if (!Object.hasOwn(machineMetadata, key)) return false;
    const actual = machineMetadata[key];
    if (actual === undefined || !allowed.includes(actual)) return false;
  }
  return true;
}

/** True when one of `patterns` (Go path.Match globs) matches `name`. */
function anyMatches(patterns: readonly string[], name: string): boolean {
  for (const pattern of patterns) {
    if (matchGlob(pattern, name)) return true;
  }
  return false;
}

/**
 * Conflicts= is symmetric: two units may not share a machine if either one's patterns match the
 * other's name. A unit never conflicts with itself (`Conflicts=conflict.*` inside `conflict.0`).
 */
export function unitsConflict(a: ConstrainedUnit, b: ConstrainedUnit): boolean {
  if (a.name === b.name) return false;
  return anyMatches(a.requirements.conflicts, b.name) || anyMatches(b.requirements.conflicts, a.name);
}

/**
 * Replaces=: `a` replaces `b` when a's patterns match b's name and b's do not match a's. fleet
 * ignored a mutual match (each replacing the other) because honouring it would move units forever.
 */
export function replaces(a: ConstrainedUnit, b: ConstrainedUnit): boolean {
  if (a.name === b.name) return false;
  return (
    anyMatches(a.requirements.replaces, b.name) && !anyMatches(b.requirements.replaces, a.name)
  );
}
