import type { MachineInfo } from '@fleet/core';
import { compareCodePoints } from './compare-code-points.js';
import { renderListing } from './listing.js';
import type { FieldFormatter, ListOptions, ListingOutput } from './listing.js';
import { formatMachineIdLegend } from './machine-legend.js';

export interface ListMachinesInput {
  /** Live machines, in any order. */
  readonly machines: readonly MachineInfo[];
}

export const DEFAULT_LIST_MACHINES_FIELDS = 'machine,ip,metadata';

/** fleet prints a value that starts with a comparison operator glued to its key (`key>=3`). */
const METADATA_OPERATORS = ['<=', '>=', '!=', '==', '<', '>'] as const;

/** `fleetctl list-machines`: one row per machine, sorted by ID. */
export function formatListMachines(input: ListMachinesInput, options: ListOptions): ListingOutput {
  const fields = new Map<string, FieldFormatter<MachineInfo>>([
    ['machine', (m) => formatMachineIdLegend(m.id, options.full)],
    ['ip', (m) => (m.publicIp === '' ? '-' : m.publicIp)],
    ['metadata', (m) => formatMetadata(m.metadata)],
  ]);
  const rows = [...input.machines].sort((a, b) => compareCodePoints(a.id, b.id));
  return renderListing({ defaultFields: DEFAULT_LIST_MACHINES_FIELDS, fields }, rows, options);
}

/** `k=v` pairs sorted by key and comma-joined; `-` when there is no metadata. */
export function formatMetadata(metadata: Readonly<Record<string, string>>): string {
  const keys = Object.keys(metadata).sort(compareCodePoints);
  if (keys.length === 0) return '-';
  return keys
    .map((key) => {
      const value = metadata[key] ?? '';
      const glued = METADATA_OPERATORS.some((op) => value.startsWith(op));
      return glued ? `${key}${value}` : `${key}=${value}`;
    })
    .join(',');
}
