import type { CommandSpec } from '../command.js';
import { BLOCK_FLAGS, REPLACE_FLAG, blockAttemptsOf, operandsOf } from '../command.js';

export const loadCommand: CommandSpec = {
  name: 'load',
  operands: 'UNIT...',
  summary: 'Schedule one or more units in the cluster, first submitting them if necessary',
  description:
    'Submits what is not registered yet (see submit), sets the desired state to loaded, and waits ' +
    'until each unit is placed on a machine with its container created but not running. While a ' +
    "unit cannot be placed, the scheduler's reason is shown on stderr.",
  examples: [
    ['fleetctl load hello.service', 'Place hello.service and wait'],
    ['fleetctl load --no-block hello@1 hello@2', 'Do not wait'],
    ['fleetctl load --block-attempts=10 hello', 'Give up after about 20 s'],
  ],
  flags: [...BLOCK_FLAGS, REPLACE_FLAG],
  async run(ctx, args) {
    const words = operandsOf(args);
    if (words.length === 0) {
      ctx.out.error('No units given');
      return 0;
    }
    const attempts = blockAttemptsOf(args);
    const { activate } = await import('../activation.js');
    return activate(ctx, words, { replace: args['replace'] === true, attempts }, {
      command: 'load',
      errorPrefix: 'Error loading units',
      action: 'load',
    });
  },
};
