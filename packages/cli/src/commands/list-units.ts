import type { CommandContext, CommandSpec } from '../command.js';
import type { ListingOutput } from '../format/index.js';
import { listFlags } from '../command.js';

export const listUnitsCommand: CommandSpec = {
  name: 'list-units',
  operands: '',
  summary: 'List the current state of units in the cluster',
  description:
    'Lists one row per unit per machine that reports it: the state the machine\'s agent published ' +
    'for the unit\'s container, in systemd\'s terms (ACTIVE and SUB).',
  examples: [
    ['fleetctl list-units', 'Every unit state, ellipsized'],
    ['fleetctl list-units --full --no-legend --fields unit,machine,active', 'Whole machine IDs, chosen columns, no header'],
  ],
  flags: listFlags({ shortL: true, fields: 'unit,machine,active,sub', keys: 'unit,machine,active,sub,load,hash' }),
  async run(ctx, args) {
    const { formatListUnits } = await import('../format/index.js');
    const options = listOptionsOf(args);
    // Bad --fields are reported without a round trip to etcd.
    const probe = formatListUnits({ states: [], machines: [] }, options);
    if (probe.exitCode !== 0) return printed(ctx, probe);
    const api = await ctx.api();
    const [states, machines] = await Promise.all([api.listStates(), api.listMachines()]);
    const listing = formatListUnits(
      { states: states.map((e) => e.state), machines: machines.map((e) => e.machine) },
      options,
    );
    return printed(ctx, listing);
  },
};

/** Prints a listing's output and returns its exit code. */
export function printed(ctx: CommandContext, listing: ListingOutput): number {
  ctx.out.writeError(listing.stderr);
  ctx.out.write(listing.stdout);
  return listing.exitCode;
}

/** The listing flags as the formatters take them. */
export function listOptionsOf(args: Readonly<Record<string, unknown>>): { full: boolean; noLegend: boolean; fields: string } {
  return { full: args['full'] === true, noLegend: args['no-legend'] === true, fields: String(args['fields'] ?? '') };
}
