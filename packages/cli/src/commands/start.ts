import type { CommandSpec } from '../command.js';
import { BLOCK_FLAGS, REPLACE_FLAG, blockAttemptsOf, operandsOf } from '../command.js';

export const startCommand: CommandSpec = {
  name: 'start',
  operands: 'UNIT...',
  summary: 'Instruct systemd to start one or more units in the cluster, first submitting and loading if necessary',
  description:
    'Submits what is not registered yet (see submit), sets the desired state to launched, and waits ' +
    "until each unit's container is running on its machine (global units are not waited on). " +
    "While a unit cannot be placed, the scheduler's reason for every machine is shown on stderr; if " +
    'its machine reports a failure (a missing image, a container that exits), start says so and exits 1.',
  examples: [
    ['fleetctl start hello.service', 'Start hello.service and wait until it runs'],
    ['fleetctl start units/hello@{1..3}', 'Three instances of units/hello@.service'],
    ['fleetctl start --block-attempts=5 hello', 'Give up after about 10 s'],
    ['fleetctl start --replace hello', 'Restart it with the changed local file'],
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
      command: 'start',
      errorPrefix: 'Error starting units',
      action: 'start',
    });
  },
};
