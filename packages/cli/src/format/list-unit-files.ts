import { currentState } from '@fleet/core';
import type { MachineInfo, TargetState, UnitState } from '@fleet/core';
import { compareCodePoints } from './compare-code-points.js';
import { formatHash } from './hash-legend.js';
import { renderListing } from './listing.js';
import type { FieldFormatter, ListOptions, ListingOutput } from './listing.js';
import { machineLegends } from './machine-legend.js';

/** What list-unit-files needs to know about one unit. */
export interface UnitFileEntry {
  readonly name: string;
  /** SHA-1 (40 hex) of the canonical contents (an instance carries its template's). */
  readonly hash: string;
  /** Desired state; absent prints `-`. */
  readonly targetState?: TargetState | undefined;
  /** `[X-Fleet] Global=true`. */
  readonly global: boolean;
  /** First `[Unit] Description=`, verbatim (specifiers are not expanded); absent prints `-`. */
  readonly description?: string | undefined;
}

export interface ListUnitFilesInput {
  readonly units: readonly UnitFileEntry[];
  /** Unit name → machine ID it is scheduled on (global units are never in here). */
  readonly schedule: ReadonlyMap<string, string>;
  /** All reported unit states: they decide the STATE column. */
  readonly states: readonly UnitState[];
  /** Live machines: they decide whether a target legend gets `/IP`. */
  readonly machines: readonly MachineInfo[];
}

export const DEFAULT_LIST_UNIT_FILES_FIELDS = 'unit,hash,dstate,state,target';

export const TMACHINE_WARNING = 'WARNING: The "tmachine" field is deprecated. Use "target" instead';

/** `fleetctl list-unit-files`: one row per unit, sorted by name. */
export function formatListUnitFiles(
  input: ListUnitFilesInput,
  options: ListOptions,
): ListingOutput {
  const legendOf = machineLegends(input.machines, options.full);
  const statesByUnit = groupStatesByUnit(input.states);
  // Global units have no schedule and no meaningful current state: fleet prints `global` / `-`.
  const target: FieldFormatter<UnitFileEntry> = (u) =>
    u.global
      ? 'global'
      : legendOf(input.schedule.get(u.name));
  const state: FieldFormatter<UnitFileEntry> = (u) =>
    u.global ? '-' : currentState(input.schedule.get(u.name), statesByUnit.get(u.name) ?? []);
  const fields = new Map<string, FieldFormatter<UnitFileEntry>>([
    ['unit', (u) => u.name],
    ['hash', (u) => formatHash(u.hash, options.full)],
    ['dstate', (u) => orDash(u.targetState)],
    ['state', state],
    ['target', target],
    ['tmachine', target],
    ['desc', (u) => orDash(u.description)],
    ['global', (u) => String(u.global)],
  ]);
  const rows = [...input.units].sort((a, b) => compareCodePoints(a.name, b.name));
  return renderListing(
    {
      defaultFields: DEFAULT_LIST_UNIT_FILES_FIELDS,
      fields,
      warningFor: (key) => (key === 'tmachine' ? TMACHINE_WARNING : undefined),
    },
    rows,
    options,
  );
}

function groupStatesByUnit(states: readonly UnitState[]): ReadonlyMap<string, UnitState[]> {
  const byUnit = new Map<string, UnitState[]>();
  for (const state of states) {
    const group = byUnit.get(state.name);
    if (group === undefined) byUnit.set(state.name, [state]);
    else group.push(state);
  }
  return byUnit;
}

function orDash(value: string | undefined): string {
  return value === undefined || value === '' ? '-' : value;
}
