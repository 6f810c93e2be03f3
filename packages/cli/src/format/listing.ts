import { goQuote } from '@fleet/core';
import { formatTabbed } from './tabwriter.js';

/** The flags every fleetctl listing shares. */
export interface ListOptions {
  /** `--full`: whole machine IDs and hashes instead of the ellipsized/short forms. */
  readonly full: boolean;
  /** `--no-legend`: no header line. */
  readonly noLegend: boolean;
  /** `--fields` as typed (comma-separated keys); undefined means the command's default. */
  readonly fields?: string | undefined;
}

/** What a listing command prints and how it exits. */
export interface ListingOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** A column: the value printed for one row under one `--fields` key. */
export type FieldFormatter<Row> = (row: Row) => string;

export interface ListingSpec<Row> {
  readonly defaultFields: string;
  readonly fields: ReadonlyMap<string, FieldFormatter<Row>>;
  /** A stderr line printed each time a valid key is selected (fleet's deprecated aliases). */
  readonly warningFor?: (key: string) => string | undefined;
}

/**
 * fleetctl's listing skeleton: validate `--fields` (first problem wins, exit 1), then print the
 * upper-cased keys as the legend and one tabwriter row per input row, in the order given.
 * Warnings for keys validated before an invalid one are still printed, as fleet does.
 */
export function renderListing<Row>(
  spec: ListingSpec<Row>,
  rows: readonly Row[],
  options: ListOptions,
): ListingOutput {
  const selected = options.fields ?? spec.defaultFields;
  if (selected === '') return failure('', 'Must define output format');

  const keys = selected.split(',');
  const formatters: FieldFormatter<Row>[] = [];
  let warnings = '';
  for (const key of keys) {
    const formatter = spec.fields.get(key);
    if (formatter === undefined) {
      return failure(warnings, `Invalid key in output format: ${goQuote(key)}`);
    }
    formatters.push(formatter);
    const warning = spec.warningFor?.(key);
    if (warning !== undefined) warnings += `${warning}\n`;
  }

  const table: string[][] = [];
  if (!options.noLegend) table.push(keys.map((key) => key.toUpperCase()));
  for (const row of rows) table.push(formatters.map((format) => format(row)));
  return { stdout: formatTabbed(table), stderr: warnings, exitCode: 0 };
}

function failure(stderrSoFar: string, message: string): ListingOutput {
  return { stdout: '', stderr: `${stderrSoFar}${message}\n`, exitCode: 1 };
}
