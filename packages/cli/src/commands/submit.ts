import type { CommandSpec } from '../command.js';
import { REPLACE_FLAG, operandsOf } from '../command.js';

export const submitCommand: CommandSpec = {
  name: 'submit',
  operands: 'UNIT...',
  summary: 'Upload one or more units to the cluster without starting them',
  description:
    'Reads each unit file (UNIT, or UNIT.service when UNIT has no unit type) and stores it in the ' +
    'cluster with desired state inactive. An instance (name@x.service) with no file of its own uses ' +
    'its template, from the cluster if registered there, else the file name@.service beside it. ' +
    'Units already registered are left alone unless --replace is given and the local file differs. ' +
    'Every unit is checked before anything is written.',
  examples: [
    ['fleetctl submit hello.service', 'Store hello.service'],
    ['fleetctl submit units/hello@1 units/hello@2', 'Two instances of units/hello@.service'],
    ['fleetctl submit --replace hello.service', 'Store the changed local file in place of the registered one'],
  ],
  flags: [REPLACE_FLAG],
  async run(ctx, args) {
    const words = operandsOf(args);
    if (words.length === 0) {
      ctx.out.error('No units given');
      return 0;
    }
    const [{ submitUnits }, api] = await Promise.all([import('../submission.js'), ctx.api()]);
    await submitUnits(api, ctx.out, words, { command: 'submit', replace: args['replace'] === true });
    return 0;
  },
};
