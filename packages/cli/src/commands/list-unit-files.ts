import type { UnitFileEntry } from '../format/index.js';
import type { CommandSpec } from '../command.js';
import { listFlags } from '../command.js';
import { listOptionsOf, printed } from './list-units.js';

export const listUnitFilesCommand: CommandSpec = {
  name: 'list-unit-files',
  operands: '',
  summary: 'List the units that exist in the cluster',
  description:
    'Lists every unit in the registry with its hash, desired state (DSTATE), current state (STATE) ' +
    'and the machine it is scheduled on (TARGET).',
  examples: [
    ['fleetctl list-unit-files', 'Every unit'],
    ['fleetctl list-unit-files --fields unit,desc,global', 'Names, descriptions and whether each is global'],
  ],
  flags: listFlags({
    shortL: false,
    fields: 'unit,hash,dstate,state,target',
    keys: 'unit,hash,dstate,state,target,tmachine,desc,global',
  }),
  async run(ctx, args) {
    const [format, { parseUnitFile }] = await Promise.all([import('../format/index.js'), import('@fleet/core')]);
    const options = listOptionsOf(args);
    const probe = format.formatListUnitFiles({ units: [], schedule: new Map(), states: [], machines: [] }, options);
    if (probe.exitCode !== 0) return printed(ctx, probe);
    const api = await ctx.api();
    const [units, schedule, states, machines] = await Promise.all([
      api.listUnits(),
      api.listSchedule(),
      api.listStates(),
      api.listMachines(),
    ]);
    const entries = units.map(({ unit, global }): UnitFileEntry => {
      let description: { value: string | undefined } | undefined;
      return {
        name: unit.name,
        hash: unit.hash,
        targetState: unit.targetState,
        global,
        // Parsed only if the `desc` column is asked for: most listings never pay for it.
        get description() {
          description ??= { value: format.unitDescription(parseUnitFile(unit.contents)) };
          return description.value;
        },
      };
    });
    const listing = format.formatListUnitFiles(
      {
        units: entries,
        schedule: new Map(schedule.map((e) => [e.unit.name, e.machineId])),
        states: states.map((e) => e.state),
        machines: machines.map((e) => e.machine),
      },
      options,
    );
    return printed(ctx, listing);
  },
};
