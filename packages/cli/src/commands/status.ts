import type { CommandSpec } from '../command.js';
import { operandsOf } from '../command.js';
import { CliError } from '../errors.js';

/** Log lines `status` shows, as systemctl does. */
const STATUS_LOG_LINES = 10;

export const statusCommand: CommandSpec = {
  name: 'status',
  operands: 'UNIT...',
  summary: 'Output the status of one or more units in the cluster',
  description:
    'Shows each unit as `systemctl status` would: its state, the machine it runs on, its container ' +
    '(short id, image, start time, exit code, restarts, health) and the last 10 lines of its output, ' +
    'read through the Docker endpoint its machine publishes. A global unit is shown per machine.',
  examples: [
    ['fleetctl status hello.service', 'State, container facts and recent output'],
    ['fleetctl status hello@1 hello@2', 'Two units, one after the other'],
  ],
  async run(ctx, args) {
    const words = operandsOf(args);
    if (words.length === 0) {
      ctx.out.error('No units given');
      return 0;
    }
    const [core, { formatUnitStatus }, { placementsOf }, logs, { unitDescription }, api] = await Promise.all([
      import('@fleet/core'),
      import('../unit-status.js'),
      import('../unit-placements.js'),
      import('../container-logs.js'),
      import('../format/index.js'),
      ctx.api(),
    ]);
    let first = true;
    for (const word of words) {
      const name = core.mangleUnitName(word);
      const entry = await api.getUnit(name);
      if (entry === undefined) throw new CliError(`Unit ${name} does not exist.`);
      const placements = await placementsOf(api, entry);
      if (placements.length === 0) throw new CliError(`Unit ${name} does not appear to be loaded.`);
      const raw = unitDescription(core.parseUnitFile(entry.unit.contents));
      const description = raw === undefined ? undefined : core.substituteFleetSpecifiers(raw, name);
      for (const { state, machine } of placements) {
        let logLines: string[] | undefined;
        if (state.containerId !== undefined && machine !== undefined) {
          const source = { unit: name, machine, containerId: state.containerId };
          try {
            logLines = await logs.readLogLines(source, {
              lines: STATUS_LOG_LINES,
              format: 'short',
              timeoutMs: ctx.globals.requestTimeoutMs,
            });
          } catch (error) {
            const why = error instanceof Error ? error.message.replace(/^Error: /, '') : String(error);
            ctx.out.error(`Warning: cannot read the output of ${name} on ${core.shortMachineId(machine.id)}: ${why}`);
          }
        }
        // A blank line between units (and machines), as systemctl separates them.
        if (!first) ctx.out.line('');
        first = false;
        ctx.out.write(
          formatUnitStatus({ name, description, targetState: entry.unit.targetState, state, machine, logLines, now: ctx.now() }),
        );
      }
    }
    return 0;
  },
};
