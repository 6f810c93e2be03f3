/** Plain-text tables for benchmark output: left-aligned text, right-aligned numbers. */
export type Cell = string | number;

/**
 * Formats a number for a table with thousands separators: with exactly `digits` decimals if
 * given, else integers as they are and other numbers to one decimal.
 */
export function formatNumber(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return '–';
  const places = digits ?? (Number.isInteger(value) ? 0 : 1);
  return value.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places });
}

export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  // Numbers, and strings that read as numbers (pre-formatted with their own precision), align right.
  const numeric = headers.map((_, i) => rows.length > 0 && text.every((row) => /^[-+]?[\d,.]+%?$|^–$/.test(row[i] ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/** A number with exactly `digits` decimals, as a table cell. */
export const fixed = (value: number, digits: number): string => formatNumber(value, digits);

export const MIB = 1024 * 1024;

export const mib = (bytes: number): number => Math.round((bytes / MIB) * 10) / 10;
