import { describe, expect, it } from '@jest/globals';
import {
  formatListMachines,
  formatListUnitFiles,
  formatListUnits,
} from '../../../../packages/cli/src/format/index.js';
import type { ListingOutput } from '../../../../packages/cli/src/format/index.js';
import { REGISTERED_MACHINES, SCHEDULED_UNITS, SUBMITTED_UNIT_FILES } from './cluster-fixture.js';

const WARNING = 'WARNING: The "tmachine" field is deprecated. Use "target" instead\n';

function unitFiles(fields: string): ListingOutput {
  return formatListUnitFiles(SUBMITTED_UNIT_FILES, { full: false, noLegend: false, fields });
}
function units(fields: string): ListingOutput {
  return formatListUnits(SCHEDULED_UNITS, { full: false, noLegend: false, fields });
}
function machines(fields: string): ListingOutput {
  return formatListMachines(REGISTERED_MACHINES, { full: false, noLegend: false, fields });
}

describe('--fields errors (stderr, nothing on stdout, exit 1)', () => {
  it.each<[string, (fields: string) => ListingOutput, string, string]>([
    ['list-unit-files', unitFiles, '', 'Must define output format\n'],
    ['list-units', units, '', 'Must define output format\n'],
    ['list-machines', machines, '', 'Must define output format\n'],
    ['list-unit-files', unitFiles, 'unit,x', 'Invalid key in output format: "x"\n'],
    ['list-unit-files', unitFiles, 'unit,,hash', 'Invalid key in output format: ""\n'],
    ['list-unit-files', unitFiles, 'unit,', 'Invalid key in output format: ""\n'],
    ['list-unit-files', unitFiles, 'UNIT', 'Invalid key in output format: "UNIT"\n'],
    ['list-unit-files', unitFiles, 'unit ,hash', 'Invalid key in output format: "unit "\n'],
    ['list-unit-files', unitFiles, 'machine', 'Invalid key in output format: "machine"\n'],
    ['list-units', units, 'unit,tmachine', 'Invalid key in output format: "tmachine"\n'],
    ['list-units', units, 'desc', 'Invalid key in output format: "desc"\n'],
    ['list-machines', machines, 'machine,hash', 'Invalid key in output format: "hash"\n'],
    ['list-machines', machines, 'a"b\\c\n', 'Invalid key in output format: "a\\"b\\\\c\\n"\n'],
    // Keys are checked left to right; a tmachine warning already printed stays printed.
    [
      'list-unit-files',
      unitFiles,
      'tmachine,bogus',
      `${WARNING}Invalid key in output format: "bogus"\n`,
    ],
    ['list-unit-files', unitFiles, 'bogus,tmachine', 'Invalid key in output format: "bogus"\n'],
  ])('%s --fields=%j', (_command, run, fields, stderr) => {
    expect(run(fields)).toEqual({ stdout: '', stderr, exitCode: 1 });
  });

  it('warns once per use of tmachine, even when valid', () => {
    const output = unitFiles('tmachine,unit,tmachine,tmachine');
    expect(output.stderr).toBe(WARNING.repeat(3));
    expect(output.exitCode).toBe(0);
    expect(output.stdout.split('\n')[0]).toBe('TMACHINE\tUNIT\t\t\tTMACHINE\tTMACHINE');
  });

  it('accepts repeated keys and prints the column each time', () => {
    expect(machines('ip,ip').stdout).toBe(
      'IP\t\tIP\n172.17.8.101\t172.17.8.101\n172.17.8.102\t172.17.8.102\n-\t\t-\n',
    );
  });
});
