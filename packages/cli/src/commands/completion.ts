import type { CommandSpec } from '../command.js';
import { operandsOf } from '../command.js';
import type { CompletionCommand } from '../completion-script.js';
import { SHELLS, completionScript } from '../completion-script.js';
import { CliError } from '../errors.js';
import { GLOBAL_FLAGS, VALUED_GLOBAL_FLAGS } from '../global-options.js';

const UNIT_FILE_COMMANDS = ['submit', 'load', 'start'];

export const completionCommand: CommandSpec = {
  name: 'completion',
  operands: 'SHELL',
  summary: 'Print a shell completion script (bash or zsh)',
  description: 'Prints a script that completes fleetctl\'s commands, flags and unit names in bash or zsh.',
  examples: [
    ['source <(fleetctl completion bash)', 'Completion in the current bash'],
    ['fleetctl completion zsh > "${fpath[1]}/_fleetctl"', 'Install it for zsh'],
  ],
  async run(ctx, args) {
    const words = operandsOf(args);
    const shell = SHELLS.find((s) => s === words[0]);
    if (words.length !== 1 || shell === undefined) {
      throw new CliError(`Error: name one shell: ${SHELLS.join(' or ')}`);
    }
    const { COMMANDS } = await import('./index.js');
    const commands: CompletionCommand[] = COMMANDS.map((spec) => ({
      name: spec.name,
      flags: flagsOf(spec),
      operands: UNIT_FILE_COMMANDS.includes(spec.name)
        ? 'files'
        : spec.name === 'completion'
          ? 'shells'
          : spec.operands.startsWith('UNIT')
            ? 'units'
            : 'none',
    }));
    commands.push({ name: 'help', flags: [], operands: 'commands' });
    const globalFlags = GLOBAL_FLAGS.map((f) => `--${f.name}`);
    ctx.out.write(completionScript(shell, commands, globalFlags, VALUED_GLOBAL_FLAGS.map((f) => `--${f}`)));
    return 0;
  },
};

/** A command's own flags as typed: `--full`, `-l`, … */
function flagsOf(spec: CommandSpec): string[] {
  return (spec.flags ?? []).flatMap((f) => (f.alias === undefined ? [`--${f.name}`] : [`--${f.name}`, `-${f.alias}`]));
}
