import type { CommandSpec } from '../command.js';
import { operandsOf } from '../command.js';
import { CliError } from '../errors.js';

export const catCommand: CommandSpec = {
  name: 'cat',
  operands: 'UNIT',
  summary: 'Output the contents of a submitted unit',
  description: 'Prints the unit file as fleet stores it (canonical form), with no trailing newline added.',
  examples: [
    ['fleetctl cat hello.service', 'The stored hello.service'],
    ['fleetctl cat hello', 'The same: .service is implied'],
  ],
  async run(ctx, args) {
    const operands = operandsOf(args);
    if (operands.length !== 1) throw new CliError('One unit file must be provided');
    const { unitNamesOf } = await import('../submission.js');
    const [name] = unitNamesOf(operands, 'Error retrieving unit');
    const api = await ctx.api();
    const entry = await api.getUnit(name!);
    if (entry === undefined) throw new CliError(`Unit ${name} not found`);
    ctx.out.write(entry.unit.contents);
    return 0;
  },
};
