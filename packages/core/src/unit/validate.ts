import { matchGlob } from '../constraints/glob.js';
import type { UnitRequirements } from '../model.js';
import { goQuote } from './go-strings.js';

/**
 * fleet's API checks of a unit's requirements (`ValidateOptions`), with fleet's messages. fleet
 * returned only the first problem; this returns all of them, first the unresolvable peers (per
 * peer: its conflicts, then its replaces), then the incompatible pairs in fleet's switch order,
 * so element 0 is the error fleet would have answered.
 */
export function validateRequirements(req: UnitRequirements): string[] {
  const problems: string[] = [];
  // fleet compared sets: duplicates report once.
  const peers = unique(req.machineOf);
  const conflicts = unique(req.conflicts);
  const replaces = unique(req.replaces);

  for (const peer of peers) {
    for (const conflict of conflicts) {
      if (matchGlob(conflict, peer)) {
        problems.push(
          `unresolvable requirements: peer ${goQuote(peer)} matches conflict ${goQuote(conflict)}`,
        );
      }
    }
    for (const replace of replaces) {
      if (matchGlob(replace, peer)) {
        problems.push(
          `unresolvable requirements: peer ${goQuote(peer)} matches replace ${goQuote(replace)}`,
        );
      }
    }
  }

  const hasMachineId = req.machineId !== undefined;
  const hasPeers = peers.length > 0;
  const hasConflicts = conflicts.length > 0;
  const hasReplaces = replaces.length > 0;
  const pairs: ReadonlyArray<readonly [boolean, string]> = [
    [hasMachineId && hasPeers, 'MachineID cannot be used with Peers'],
    [hasMachineId && hasConflicts, 'MachineID cannot be used with Conflicts'],
    [hasMachineId && req.global, 'MachineID cannot be used with Global'],
    [hasMachineId && hasReplaces, 'MachineID cannot be used with Replaces'],
    [req.global && hasPeers, 'Global cannot be used with Peers'],
    [req.global && hasReplaces, 'Global cannot be used with Replaces'],
    [hasConflicts && hasReplaces, 'Conflicts cannot be used with Replaces'],
  ];
  for (const [applies, message] of pairs) if (applies) problems.push(message);
  return problems;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
