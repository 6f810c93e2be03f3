import type { UnitFile } from '@fleet/core';

/**
 * What list-unit-files shows as `desc`: the first `Description=` of the `[Unit]` section, raw
 * (specifiers such as `%i` are not expanded); undefined when there is none.
 */
export function unitDescription(unit: UnitFile): string | undefined {
  return unit.options.find((opt) => opt.section === 'Unit' && opt.name === 'Description')?.value;
}
