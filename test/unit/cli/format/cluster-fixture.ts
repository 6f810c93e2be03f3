/**
 * The cluster states behind the golden captures of the real fleetctl 1.0.0 (see
 * /work/shared/reference/golden/INDEX.md; the captures and fixture units are copied into
 * ./golden). Hashes, descriptions and Global= come from parsing golden/units/*.service with core.
 */
import { readFileSync } from 'node:fs';
import { parseUnitFile, templateOf, unitHash, unitRequirements } from '@fleet/core';
import type { MachineInfo, TargetState, UnitState } from '@fleet/core';
import { unitDescription } from '../../../../packages/cli/src/format/index.js';
import type {
  ListMachinesInput,
  ListUnitFilesInput,
  ListUnitsInput,
  UnitFileEntry,
} from '../../../../packages/cli/src/format/index.js';

const GOLDEN_DIR = new URL('./golden/', import.meta.url);

export interface Golden {
  readonly stdout: string;
  readonly stderr: string;
}

/** The captured stdout and stderr of golden capture `name` (e.g. `10-list-unit-files`). */
export function readGolden(name: string): Golden {
  return {
    stdout: readFileSync(new URL(`${name}.stdout`, GOLDEN_DIR), 'utf8'),
    stderr: readFileSync(new URL(`${name}.stderr`, GOLDEN_DIR), 'utf8'),
  };
}

/** A registered unit; an instance (`hello@1.service`) is submitted from its template's file. */
function unitEntry(name: string, targetState: TargetState): UnitFileEntry {
  const file = templateOf(name) ?? name;
  const text = readFileSync(new URL(`units/${file}`, GOLDEN_DIR), 'utf8');
  const unit = parseUnitFile(text);
  return {
    name,
    hash: unitHash(unit),
    targetState,
    global: unitRequirements(unit, name).requirements.global,
    description: unitDescription(unit),
  };
}

export const M1 = '2f1c7e5a9b3d4c6e8f0a1b2c3d4e5f60';
export const M2 = '8a4b2c6d0e1f4a3b9c7d5e2f1a0b3c4d';
export const M3 = 'd3e2f1a0b9c84d7e6f5a4b3c2d1e0f9a';
/** Reported global.service's state, then went away (stale row, bare legend). */
export const GONE = '5c99a0871b2c4d3e8f9a0b1c2d3e4f5a';

/** Registered in the order M3, M1, M2; M2's role=db is the dynamic metadata fleet merges in. */
export const MACHINES: readonly MachineInfo[] = [
  { id: M3, publicIp: '', metadata: {}, version: '1.0.0' },
  {
    id: M1,
    publicIp: '172.17.8.101',
    metadata: { region: 'us-west', hostname: 'smoke1' },
    version: '1.0.0',
  },
  {
    id: M2,
    publicIp: '172.17.8.102',
    metadata: { role: 'db', hostname: 'smoke2' },
    version: '1.0.0',
  },
];

/** Step 2: every fixture submitted (in the order fleetctl got them), then hello@1–3. */
const SUBMITTED_NAMES = [
  'hello.service',
  'hello@.service',
  'conflict.0.service',
  'conflict.1.service',
  'conflict.2.service',
  'conflict.3.service',
  'conflict.4.service',
  'ping.0.service',
  'ping.1.service',
  'ping.2.service',
  'pong.0.service',
  'pong.1.service',
  'pong.2.service',
  'global.service',
  'pin@.service',
  'metadata@.service',
  'hello@1.service',
  'hello@2.service',
  'hello@3.service',
];

/** Captures 01-*: nothing at all. */
export const EMPTY_UNIT_FILES: ListUnitFilesInput = {
  units: [],
  schedule: new Map(),
  states: [],
  machines: [],
};
export const EMPTY_UNITS: ListUnitsInput = { states: [], machines: [] };
export const EMPTY_MACHINES: ListMachinesInput = { machines: [] };

/** Captures 10–16: all submitted and inactive, nothing scheduled, no machines. */
export const SUBMITTED_UNIT_FILES: ListUnitFilesInput = {
  units: SUBMITTED_NAMES.map((name) => unitEntry(name, 'inactive')),
  schedule: new Map(),
  states: [],
  machines: [],
};

/** Captures 60–64. */
export const REGISTERED_MACHINES: ListMachinesInput = { machines: MACHINES };

function state(
  name: string,
  machineId: string,
  activeState: string,
  subState: string,
): UnitState {
  return {
    name,
    machineId,
    hash: unitEntry(name, 'inactive').hash,
    loadState: 'loaded',
    activeState,
    subState,
  };
}

/** Captures 70–74/75–77 state reports, deliberately out of order. */
const SCHEDULED_STATES: readonly UnitState[] = [
  state('hello@2.service', M3, 'inactive', 'dead'),
  state('global.service', M2, 'active', 'running'),
  state('hello.service', M1, 'active', 'running'),
  state('global.service', GONE, 'failed', 'failed'),
  state('global.service', M1, 'active', 'running'),
];

/**
 * Captures 75–77, read off the captures themselves (INDEX.md §5 omits two facts they show:
 * hello@1.service was destroyed and hello@3.service is desired `loaded` but unscheduled).
 */
export const SCHEDULED_UNIT_FILES: ListUnitFilesInput = {
  units: SUBMITTED_NAMES.filter((name) => name !== 'hello@1.service').map((name) =>
    unitEntry(
      name,
      name === 'hello.service' ? 'launched' : name === 'hello@3.service' ? 'loaded' : 'inactive',
    ),
  ),
  schedule: new Map([
    ['hello.service', M1],
    ['hello@2.service', M3],
  ]),
  states: SCHEDULED_STATES,
  machines: MACHINES,
};

/** Captures 70–74. */
export const SCHEDULED_UNITS: ListUnitsInput = { states: SCHEDULED_STATES, machines: MACHINES };
