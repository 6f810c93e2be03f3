import type { CommandSpec } from '../command.js';
import { operandsOf } from '../command.js';
import { CliError } from '../errors.js';

export const journalCommand: CommandSpec = {
  name: 'journal',
  operands: 'UNIT',
  summary: 'Print the journal of a unit in the cluster to stdout',
  description:
    "Prints the output of the unit's container (stdout and stderr), read through the Docker endpoint " +
    'its machine publishes. For a global unit, the output of every machine running it.',
  examples: [
    ['fleetctl journal hello.service', 'The last 10 lines'],
    ['fleetctl journal -n 100 -f hello', 'The last 100 lines, then new ones as they come (Ctrl-C ends)'],
    ['fleetctl journal --output cat hello', 'The bare text, without time and origin'],
  ],
  flags: [
    { name: 'follow', alias: 'f', type: 'boolean', default: false, describe: 'Keep printing new output as it comes' },
    { name: 'lines', alias: 'n', type: 'string', default: '10', describe: 'Number of recent lines to print' },
    { name: 'output', type: 'string', default: 'short', describe: 'short: time, machine and unit before each line; cat: the bare text' },
  ],
  async run(ctx, args) {
    const words = operandsOf(args);
    if (words.length !== 1) throw new CliError('One unit file must be provided.');
    const linesText = String(args['lines']);
    if (!/^\d+$/.test(linesText)) throw new CliError(`Error: invalid --lines ${JSON.stringify(linesText)}: expected a whole number`);
    const format = String(args['output']);
    const [core, { placementsOf }, logs, api] = await Promise.all([
      import('@fleet/core'),
      import('../unit-placements.js'),
      import('../container-logs.js'),
      ctx.api(),
    ]);
    if (!(logs.LOG_FORMATS as readonly string[]).includes(format)) {
      throw new CliError(`Error: invalid --output ${JSON.stringify(format)}: expected one of ${logs.LOG_FORMATS.join(', ')}`);
    }
    const name = core.mangleUnitName(words[0]!);
    const entry = await api.getUnit(name);
    if (entry === undefined) throw new CliError(`Unit ${name} does not exist.`);
    const placements = await placementsOf(api, entry);
    if (placements.length === 0) throw new CliError(`Unit ${name} does not appear to be running.`);
    const sources = placements.flatMap(({ state, machine }) => {
      if (machine === undefined || state.containerId === undefined) {
        if (entry.global) return [];
        const where = machine === undefined ? core.shortMachineId(state.machineId) : core.shortMachineId(machine.id);
        throw new CliError(`Unit ${name} has no container on ${where}.`);
      }
      return [{ unit: name, machine, containerId: state.containerId }];
    });
    const options = { lines: Number(linesText), format: format as 'short' | 'cat', timeoutMs: ctx.globals.requestTimeoutMs };
    if (args['follow'] !== true) {
      for (const source of sources) for (const line of await logs.readLogLines(source, options)) ctx.out.line(line);
      return 0;
    }
    await Promise.all(sources.map((source) => logs.followLogs(source, options, ctx.signal, (line) => ctx.out.line(line))));
    return 0;
  },
};
