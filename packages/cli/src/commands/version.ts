import type { CommandSpec } from '../command.js';
import { FLEETCTL_VERSION } from '../version.js';

export const versionCommand: CommandSpec = {
  name: 'version',
  operands: '',
  summary: 'Print the version and exit',
  description: 'Prints fleetctl\'s version. `fleetctl --version` and `fleetctl -v` do the same.',
  examples: [['fleetctl version', 'fleetctl version ' + FLEETCTL_VERSION]],
  async run(ctx) {
    ctx.out.line(`fleetctl version ${FLEETCTL_VERSION}`);
    return 0;
  },
};
