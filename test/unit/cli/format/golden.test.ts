import { readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  formatListMachines,
  formatListUnitFiles,
  formatListUnits,
} from '../../../../packages/cli/src/format/index.js';
import type { ListOptions, ListingOutput } from '../../../../packages/cli/src/format/index.js';
import {
  EMPTY_MACHINES,
  EMPTY_UNIT_FILES,
  EMPTY_UNITS,
  REGISTERED_MACHINES,
  SCHEDULED_UNIT_FILES,
  SCHEDULED_UNITS,
  SUBMITTED_UNIT_FILES,
  readGolden,
} from './cluster-fixture.js';

const plain: ListOptions = { full: false, noLegend: false };
const full: ListOptions = { full: true, noLegend: false };
const noLegend: ListOptions = { full: false, noLegend: true };
const ALL_UNIT_FILE_FIELDS = 'unit,hash,dstate,state,target,desc,global';
const ALL_UNIT_FIELDS = 'unit,machine,active,sub,load,hash';

/** Every capture of fleetctl 1.0.0 except `cat` (20–23), with the call that must match it. */
const CAPTURES: ReadonlyMap<string, () => ListingOutput> = new Map([
  ['01-list-unit-files-empty', () => formatListUnitFiles(EMPTY_UNIT_FILES, plain)],
  ['01-list-machines-empty', () => formatListMachines(EMPTY_MACHINES, plain)],
  ['10-list-unit-files', () => formatListUnitFiles(SUBMITTED_UNIT_FILES, plain)],
  ['11-list-unit-files--full', () => formatListUnitFiles(SUBMITTED_UNIT_FILES, full)],
  ['12-list-unit-files--no-legend', () => formatListUnitFiles(SUBMITTED_UNIT_FILES, noLegend)],
  [
    '13-list-unit-files--fields-all',
    () => formatListUnitFiles(SUBMITTED_UNIT_FILES, { ...plain, fields: ALL_UNIT_FILE_FIELDS }),
  ],
  [
    '14-list-unit-files--fields-tmachine',
    () => formatListUnitFiles(SUBMITTED_UNIT_FILES, { ...plain, fields: 'unit,tmachine,tmachine' }),
  ],
  ['15-list-units-empty', () => formatListUnits(EMPTY_UNITS, plain)],
  ['16-list-units-empty--no-legend', () => formatListUnits(EMPTY_UNITS, noLegend)],
  ['60-list-machines', () => formatListMachines(REGISTERED_MACHINES, plain)],
  ['61-list-machines--full', () => formatListMachines(REGISTERED_MACHINES, full)],
  ['62-list-machines--no-legend', () => formatListMachines(REGISTERED_MACHINES, noLegend)],
  [
    '63-list-machines--fields',
    () => formatListMachines(REGISTERED_MACHINES, { ...plain, fields: 'machine,ip,metadata' }),
  ],
  [
    '64-list-machines--fields-reordered',
    () => formatListMachines(REGISTERED_MACHINES, { ...plain, fields: 'metadata,machine' }),
  ],
  ['70-list-units', () => formatListUnits(SCHEDULED_UNITS, plain)],
  ['71-list-units--full', () => formatListUnits(SCHEDULED_UNITS, full)],
  ['72-list-units--no-legend', () => formatListUnits(SCHEDULED_UNITS, noLegend)],
  [
    '73-list-units--fields-all',
    () => formatListUnits(SCHEDULED_UNITS, { ...plain, fields: ALL_UNIT_FIELDS }),
  ],
  [
    '74-list-units--fields-all--full',
    () => formatListUnits(SCHEDULED_UNITS, { ...full, fields: ALL_UNIT_FIELDS }),
  ],
  ['75-list-unit-files-scheduled', () => formatListUnitFiles(SCHEDULED_UNIT_FILES, plain)],
  ['76-list-unit-files-scheduled--full', () => formatListUnitFiles(SCHEDULED_UNIT_FILES, full)],
  [
    '77-list-unit-files-scheduled--fields-all',
    () => formatListUnitFiles(SCHEDULED_UNIT_FILES, { ...plain, fields: ALL_UNIT_FILE_FIELDS }),
  ],
]);

describe('golden captures of fleetctl 1.0.0', () => {
  it.each([...CAPTURES.keys()])('%s: stdout and stderr byte for byte, exit 0', (name) => {
    const golden = readGolden(name);
    const run = CAPTURES.get(name);
    if (run === undefined) throw new Error(`no call for ${name}`);
    expect(run()).toEqual({ stdout: golden.stdout, stderr: golden.stderr, exitCode: 0 });
  });

  it('covers every non-cat capture in golden/', () => {
    const captured = new Set(
      readdirSync(new URL('./golden/', import.meta.url))
        .filter((file) => file.endsWith('.stdout'))
        .map((file) => file.slice(0, -'.stdout'.length))
        .filter((name) => !/^2[0-3]-cat-/.test(name)),
    );
    expect([...CAPTURES.keys()].sort()).toEqual([...captured].sort());
  });
});
