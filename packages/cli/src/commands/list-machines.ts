import type { CommandSpec } from '../command.js';
import { listFlags } from '../command.js';
import { listOptionsOf, printed } from './list-units.js';

export const listMachinesCommand: CommandSpec = {
  name: 'list-machines',
  operands: '',
  summary: 'Enumerate the current hosts in the cluster',
  description: 'Lists the machines whose fleetd is registered (alive), with their public IP and metadata.',
  examples: [
    ['fleetctl list-machines', 'Every live machine'],
    ['fleetctl list-machines -l --fields machine,metadata', 'Whole machine IDs and metadata only'],
  ],
  flags: listFlags({ shortL: true, fields: 'machine,ip,metadata', keys: 'machine,ip,metadata' }),
  async run(ctx, args) {
    const { formatListMachines } = await import('../format/index.js');
    const options = listOptionsOf(args);
    const probe = formatListMachines({ machines: [] }, options);
    if (probe.exitCode !== 0) return printed(ctx, probe);
    const api = await ctx.api();
    const machines = await api.listMachines();
    const listing = formatListMachines({ machines: machines.map((e) => e.machine) }, options);
    return printed(ctx, listing);
  },
};
