import { currentState, mangleUnitName, parseUnitName } from '@fleet/core';
import type { CurrentState, TargetState } from '@fleet/core';
import type { UnitEntry } from '@fleet/registry';
import type { FleetApi } from './api.js';
import type { CommandContext } from './command.js';
import { mapBounded } from './concurrency.js';
import { CliError } from './errors.js';
import type { Placement } from './wait.js';

/**
 * Steps shared by the commands that change desired states (fleet's setTargetStateOfUnits,
 * findUnits and friends).
 */

/** fleet's findUnits: the named units that exist, in argument order, without repeats. */
export async function findUnits(api: FleetApi, args: readonly string[]): Promise<UnitEntry[]> {
  const names = [...new Set(args.map(mangleUnitName))];
  const found = await api.getUnits(names);
  return names.flatMap((name) => {
    const entry = found.get(name);
    return entry === undefined ? [] : [entry];
  });
}

/** A unit's current state from a placement read (global units have none: `-` in fleet). */
export function currentStateOf(name: string, placement: Placement): CurrentState {
  return currentState(placement.targets.get(name), placement.states.get(name) ?? []);
}

/**
 * Sets the desired state of each unit not already there (concurrently, bounded) and returns the
 * fresh entries, in input order, with whether each was changed.
 */
export async function retarget(
  api: FleetApi,
  entries: readonly UnitEntry[],
  state: TargetState,
): Promise<{ entry: UnitEntry; changed: boolean }[]> {
  return mapBounded(entries, async (entry) => {
    if (entry.unit.targetState === state) return { entry, changed: false };
    return { entry: await api.setTargetState(entry.unit.name, state), changed: true };
  });
}

/** The API refuses to start or load a template (fleet: `cannot activate template "x@.service"`). */
export function refuseTemplates(names: readonly string[], errorPrefix: string): void {
  const templates = names.filter((name) => parseUnitName(name)?.isTemplate === true);
  if (templates.length > 0) {
    throw new CliError(templates.map((name) => `${errorPrefix}: cannot activate template "${name}"`).join('\n'));
  }
}

/** fleet prints unit lists Go-style: `[a b]`. */
export function goList(names: readonly string[]): string {
  return `[${names.join(' ')}]`;
}

/** `Triggered unit X start` (or `global unit`) lines, for --no-block and for global units. */
export function printTriggered(ctx: CommandContext, names: readonly string[], action: string, global = false): void {
  for (const name of names) ctx.out.line(`Triggered ${global ? 'global unit' : 'unit'} ${name} ${action}`);
}
