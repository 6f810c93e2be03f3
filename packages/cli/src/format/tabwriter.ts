/**
 * Column alignment exactly as Go's text/tabwriter lays it out with fleetctl's configuration
 * (minwidth 0, tabwidth 8, padding 1, padchar TAB, no flags). fleetctl prints every table row as
 * `strings.Join(fields, "\t")` plus a newline through such a writer, so reproducing the writer
 * byte for byte is what makes our listings identical to fleet's.
 *
 * The model, in Go's terms:
 * - Text is cut into cells by `\t` or `\v`; a line ends at `\n` or `\f`. Only tab-terminated
 *   cells belong to a column: the last cell of a line never does, and is never padded.
 * - A column block is a run of consecutive lines that all have a cell in that column; its width
 *   is the widest of those cells plus the padding (1). Blocks nest: column k+1's blocks are
 *   found inside column k's block.
 * - A cell is followed by ceil((width rounded up to 8 − text width) / 8) tab characters.
 * - `\f`, and a line with a single cell, end every open block (Go flushes there).
 * - Text width counts code points (Go counts runes).
 */

const TAB_WIDTH = 8;
const PADDING = 1;

interface Cell {
  readonly text: string;
  readonly width: number;
}

type Line = Cell[];

/** Aligns rows of cells: each row becomes one `\n`-terminated line, cells joined by tabs. */
export function formatTabbed(rows: readonly (readonly string[])[]): string {
  // The rows are the lines already — unless a cell holds a separator, which splits it as in
  // fleetctl's writer: only the text can say how. Either way the layout is the same; this just
  // spares joining 10,000 rows into text and cutting them up again.
  const lines: Line[] = [];
  for (const cells of rows) {
    const line: Line = [];
    for (const text of cells.length === 0 ? [''] : cells) {
      const cell = plainCell(text);
      if (cell === undefined) return alignTabbedText(rows.map((r) => `${r.join('\t')}\n`).join(''));
      line.push(cell);
    }
    lines.push(line);
  }
  // As in alignTabbedText: a line of one cell ends every block (a flush), and each flushed buffer
  // ends with the empty line that follows the last newline.
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.length === 1) {
      layoutLines([...lines.slice(start, i + 1), []], out);
      start = i + 1;
    }
  }
  layoutLines([...lines.slice(start), []], out);
  return out.join('');
}

/** Aligns raw tab-separated text, as writing it through fleetctl's tabwriter and flushing would. */
export function alignTabbedText(text: string): string {
  const out: string[] = [];
  let lines: Line[] = [[]];
  let cellStart = 0;
  const separator = /[\t\v\n\f]/g;
  for (let match = separator.exec(text); match !== null; match = separator.exec(text)) {
    const line = lastLine(lines);
    line.push(makeCell(text.slice(cellStart, match.index)));
    cellStart = match.index + 1;
    const ch = match[0];
    if (ch === '\n' || ch === '\f') {
      lines.push([]);
      if (ch === '\f' || line.length === 1) {
        layoutLines(lines, out);
        lines = [[]];
      }
    }
  }
  // Trailing text without a newline: Go keeps it as the unterminated last cell.
  if (cellStart < text.length) lastLine(lines).push(makeCell(text.slice(cellStart)));
  layoutLines(lines, out);
  return out.join('');
}

function lastLine(lines: Line[]): Line {
  const line = lines[lines.length - 1];
  if (line === undefined) throw new Error('tabwriter: no current line');
  return line;
}

function makeCell(text: string): Cell {
  let width = 0;
  for (const _codePoint of text) width++;
  return { text, width };
}

/**
 * The cell for `text`, its width counted in code points (Go's runes: UTF-16 units less one per
 * surrogate pair) — or undefined if `text` holds a separator (\t \n \v \f: 9 to 12).
 */
function plainCell(text: string): Cell | undefined {
  let width = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 9 && unit <= 12) return undefined;
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width--;
        i++;
      }
    }
  }
  return { text, width };
}

/** Formats one flushed buffer; its last line is the unterminated one (printed without `\n`). */
function layoutLines(lines: readonly Line[], out: string[]): void {
  layoutColumn(lines, [], 0, lines.length, out);
}

/**
 * Finds the blocks of column `widths.length` within lines [from, to), fixes each block's width
 * and recurses for the next column; lines outside any block are written with the widths known.
 */
function layoutColumn(
  lines: readonly Line[],
  widths: readonly number[],
  from: number,
  to: number,
  out: string[],
): void {
  const column = widths.length;
  let pending = from;
  let i = from;
  while (i < to) {
    if (!hasColumn(lines, i, column)) {
      i++;
      continue;
    }
    writeLines(lines, widths, pending, i, out);
    const blockStart = i;
    let width = 0;
    for (; i < to && hasColumn(lines, i, column); i++) {
      width = Math.max(width, cellAt(lines, i, column).width + PADDING);
    }
    layoutColumn(lines, [...widths, width], blockStart, i, out);
    pending = i;
  }
  writeLines(lines, widths, pending, to, out);
}

/** True when line `index` has a tab-terminated cell in `column` (its last cell does not count). */
function hasColumn(lines: readonly Line[], index: number, column: number): boolean {
  return column < (lines[index]?.length ?? 0) - 1;
}

function cellAt(lines: readonly Line[], index: number, column: number): Cell {
  const cell = lines[index]?.[column];
  if (cell === undefined) throw new Error('tabwriter: missing cell');
  return cell;
}

function writeLines(
  lines: readonly Line[],
  widths: readonly number[],
  from: number,
  to: number,
  out: string[],
): void {
  for (let i = from; i < to; i++) {
    const line = lines[i] ?? [];
    let text = '';
    for (let j = 0; j < line.length; j++) {
      const cell = line[j]!;
      const width = widths[j];
      text += width === undefined ? cell.text : cell.text + tabPadding(cell.width, width);
    }
    out.push(i + 1 < lines.length ? `${text}\n` : text);
  }
}

/** Tabs that carry a cell of `textWidth` to the next tab stop at or past `cellWidth`. */
function tabPadding(textWidth: number, cellWidth: number): string {
  const stop = Math.ceil(cellWidth / TAB_WIDTH) * TAB_WIDTH;
  const tabs = Math.ceil((stop - textWidth) / TAB_WIDTH);
  return TABS[tabs] ?? '\t'.repeat(tabs);
}

/** Tab runs by length: a cell is padded with one of the first few. */
const TABS = Array.from({ length: 16 }, (_, n) => '\t'.repeat(n));
