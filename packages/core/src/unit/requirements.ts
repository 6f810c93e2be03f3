import type { UnitRequirements } from '../model.js';
import { goQuote, splitGoFields } from './go-strings.js';
import { splitMultivalue } from './multivalue.js';
import { substituteFleetSpecifiers } from './specifiers.js';
import type { UnitFile } from './unit-file.js';

/** The section fleet reads scheduling requirements from. */
export const X_FLEET_SECTION = 'X-Fleet';

/** Every `[X-Fleet]` key fleet understands, legacy aliases included. */
export const RECOGNIZED_X_FLEET_KEYS: readonly string[] = [
  'MachineID',
  'X-ConditionMachineID',
  'X-ConditionMachineBootID',
  'MachineOf',
  'X-ConditionMachineOf',
  'Conflicts',
  'X-Conflicts',
  'MachineMetadata',
  'X-ConditionMachineMetadata',
  'Global',
  'Replaces',
];

const TRUTHY = new Set(['true', 'yes', '1', 'on', 't']);

export interface UnitRequirementsResult {
  readonly requirements: UnitRequirements;
  /** fleetctl's warnings, one per unknown key, in order of first appearance. */
  readonly warnings: string[];
}

/**
 * Reads a unit's `[X-Fleet]` section the way fleet did for the unit called `unitName`: each raw
 * value is split by the multivalue rule, then specifiers are substituted, then:
 * MachineID — first value of MachineID, else X-ConditionMachineID, else X-ConditionMachineBootID;
 * MachineOf — X-ConditionMachineOf values then MachineOf values;
 * MachineMetadata — X-ConditionMachineMetadata then MachineMetadata, each `k=v` with exactly two
 * non-empty parts (others silently dropped), values per key as a set;
 * Conflicts — X-Conflicts then Conflicts, each value split on whitespace;
 * Global — last value, truthy if true/yes/1/on/t in any case; Replaces — as given.
 */
export function unitRequirements(unit: UnitFile, unitName: string): UnitRequirementsResult {
  const values = new Map<string, string[]>();
  for (const opt of unit.options) {
    if (opt.section !== X_FLEET_SECTION) continue;
    let list = values.get(opt.name);
    if (list === undefined) {
      list = [];
      values.set(opt.name, list);
    }
    for (const v of splitMultivalue(opt.value)) list.push(substituteFleetSpecifiers(v, unitName));
  }
  if (values.size === 0) return { requirements: noRequirements(), warnings: [] };
  const of = (key: string): readonly string[] => values.get(key) ?? [];

  const machineId = [
    of('MachineID'),
    of('X-ConditionMachineID'),
    of('X-ConditionMachineBootID'),
  ].find((list) => list.length > 0)?.[0];

  const metadata = new Map<string, string[]>();
  for (const pair of [...of('X-ConditionMachineMetadata'), ...of('MachineMetadata')]) {
    const parts = pair.split('=');
    if (parts.length !== 2) continue;
    const [key, value] = parts as [string, string];
    if (key === '' || value === '') continue;
    const allowed = metadata.get(key) ?? [];
    if (!allowed.includes(value)) allowed.push(value);
    metadata.set(key, allowed);
  }

  const globals = of('Global');
  const last = globals[globals.length - 1];

  const requirements: UnitRequirements = {
    ...(machineId === undefined ? {} : { machineId }),
    machineOf: [...of('X-ConditionMachineOf'), ...of('MachineOf')],
    // fromEntries defines own properties, so a key like `__proto__` stays an ordinary key.
    metadata: Object.fromEntries(metadata),
    conflicts: [...of('X-Conflicts'), ...of('Conflicts')].flatMap(splitGoFields),
    global: last !== undefined && TRUTHY.has(last.toLowerCase()),
    replaces: [...of('Replaces')],
  };

  const warnings = [...values.keys()]
    .filter((key) => !RECOGNIZED_X_FLEET_KEYS.includes(key))
    .map((key) => `unrecognized requirement in [X-Fleet] section: ${goQuote(key)}`);

  return { requirements, warnings };
}

/** Most units have no [X-Fleet] options; building these directly saves most of the cost. */
function noRequirements(): UnitRequirements {
  return { machineOf: [], metadata: {}, conflicts: [], global: false, replaces: [] };
}
