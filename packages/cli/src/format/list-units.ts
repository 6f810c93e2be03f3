import type { MachineInfo, UnitState } from '@fleet/core';
import { compareCodePoints } from './compare-code-points.js';
import { renderListing } from './listing.js';
import type { FieldFormatter, ListOptions, ListingOutput } from './listing.js';
import { formatHash } from './hash-legend.js';
import { machineLegends } from './machine-legend.js';

export interface ListUnitsInput {
  /** Every reported unit state, in any order (stale rows of vanished machines included). */
  readonly states: readonly UnitState[];
  /** Live machines: they decide whether a legend gets `/IP`. */
  readonly machines: readonly MachineInfo[];
}

export const DEFAULT_LIST_UNITS_FIELDS = 'unit,machine,active,sub';

/** `fleetctl list-units`: one row per unit state, sorted by unit name, then machine ID. */
export function formatListUnits(input: ListUnitsInput, options: ListOptions): ListingOutput {
  const legendOf = machineLegends(input.machines, options.full);
  const fields = new Map<string, FieldFormatter<UnitState>>([
    ['unit', (s) => s.name],
    ['machine', (s) => legendOf(s.machineId)],
    ['active', (s) => s.activeState],
    ['sub', (s) => s.subState],
    ['load', (s) => s.loadState],
    ['hash', (s) => formatHash(s.hash, options.full)],
  ]);
  const rows = [...input.states].sort(
    (a, b) => compareCodePoints(a.name, b.name) || compareCodePoints(a.machineId, b.machineId),
  );
  return renderListing({ defaultFields: DEFAULT_LIST_UNITS_FIELDS, fields }, rows, options);
}
