import type { UnitRequirements } from '@fleet/core';
import { compareStrings, unique } from './glob-scan.js';
import type { UnitRelations } from './occupancy.js';

/** A canonical key for a MachineMetadata requirement: equal keys select the same machines. */
export function metadataKey(metadata: UnitRequirements['metadata']): string {
  const keys = Object.keys(metadata).sort(compareStrings);
  if (keys.length === 0) return '';
  return JSON.stringify(keys.map((k) => [k, unique(metadata[k] ?? []).sort(compareStrings)]));
}

/**
 * Two units with the same signature are accepted or refused by exactly the same machines in any
 * given state, so a failure to place one (or the explanation of why) holds for the other. Units
 * in a Replaces= relation get no signature: who displaces whom depends on their names.
 */
export function constraintSignature(
  name: string,
  requirements: UnitRequirements,
  relations: UnitRelations,
): string | undefined {
  if (relations.replace.involved(name)) return undefined;
  const { conflicts } = relations;
  const sorted = (values: readonly string[]) => [...values].sort(compareStrings).join('\u0001');
  return [
    metadataKey(requirements.metadata),
    requirements.machineId ?? '',
    sorted(unique(requirements.machineOf)),
    sorted(conflicts.literals(name)),
    sorted(conflicts.globs(name)),
    conflicts.globsMatching(name).join('\u0001'),
    // someone lists this very name in Conflicts=: only this unit is affected by that
    conflicts.namedLiterally(name) ? name : '',
  ].join('\u0000');
}
