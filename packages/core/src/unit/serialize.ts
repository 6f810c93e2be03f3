import type { UnitFile } from './unit-file.js';

/**
 * fleet's canonical unit text (go-systemd `unit.Serialize`): options grouped by section in order
 * of the section's first appearance, `Name=Value` lines, one blank line between sections and
 * none after the last. This text is what fleet stores, prints for `cat` and hashes.
 */
export function serializeUnitFile(unit: UnitFile): string {
  const bySection = new Map<string, string[]>();
  for (const opt of unit.options) {
    let lines = bySection.get(opt.section);
    if (lines === undefined) {
      lines = [];
      bySection.set(opt.section, lines);
    }
    lines.push(`${opt.name}=${opt.value}\n`);
  }
  const blocks: string[] = [];
  for (const [section, lines] of bySection) blocks.push(`[${section}]\n${lines.join('')}`);
  return blocks.join('\n');
}
