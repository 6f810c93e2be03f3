import {
  machineIdMatches,
  metadataSatisfied,
  unitsConflict,
  type ConstrainedUnit,
  type MachineInfo,
  type TargetState,
} from '@fleet/core';

/** A unit as the agent reads it from the registry. */
export interface AgentUnit extends ConstrainedUnit {
  readonly targetState: TargetState;
  readonly hash: string;
}

/** A unit this machine should have, with the state it should be in. */
export interface DesiredUnit {
  readonly name: string;
  readonly targetState: 'loaded' | 'launched';
  readonly hash: string;
}

export interface DesiredUnitsInput {
  /** This machine's registry record, so metadata changed at runtime counts. */
  readonly machine: MachineInfo;
  readonly units: readonly AgentUnit[];
  /** unit name → machine id, as the engine wrote it. */
  readonly schedule: Readonly<Record<string, string>>;
}

/**
 * What this machine should run (fleet.md §6.1): non-global units the engine scheduled here, and
 * global units whose MachineMetadata (and MachineID, if any) this machine satisfies. Taken in name
 * order, a unit that conflicts with one already taken is dropped, so of two conflicting global
 * units the alphabetically first wins everywhere. The engine's checks are not repeated for
 * scheduled units. Units whose desired state is inactive are not wanted here at all and take no
 * part in conflicts.
 */
export function desiredUnits(input: DesiredUnitsInput): DesiredUnit[] {
  const { machine, schedule } = input;
  const candidates = input.units
    .filter((unit) => unit.targetState !== 'inactive' && wantedHere(unit, machine, schedule))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const taken = new Set<string>();
  /** Taken units with Conflicts= patterns: the only ones that can reject a unit without any. */
  const withPatterns: AgentUnit[] = [];
  const accepted: AgentUnit[] = [];
  const desired: DesiredUnit[] = [];
  for (const unit of candidates) {
    const targetState = unit.targetState;
    if (targetState === 'inactive' || taken.has(unit.name)) continue;
    const rejects =
      unit.requirements.conflicts.length > 0
        ? accepted.some((other) => unitsConflict(unit, other))
        : withPatterns.some((other) => unitsConflict(unit, other));
    if (rejects) continue;
    taken.add(unit.name);
    accepted.push(unit);
    if (unit.requirements.conflicts.length > 0) withPatterns.push(unit);
    desired.push({ name: unit.name, targetState, hash: unit.hash });
  }
  return desired;
}

function wantedHere(
  unit: AgentUnit,
  machine: MachineInfo,
  schedule: Readonly<Record<string, string>>,
): boolean {
  const req = unit.requirements;
  if (!req.global) return Object.hasOwn(schedule, unit.name) && schedule[unit.name] === machine.id;
  if (req.machineId !== undefined && !machineIdMatches(req.machineId, machine.id)) return false;
  return metadataSatisfied(req.metadata, machine.metadata);
}
