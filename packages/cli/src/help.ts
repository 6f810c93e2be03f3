import type { CommandSpec, FlagSpec } from './command.js';
import { formatTabbed } from './format/tabwriter.js';
import { GLOBAL_FLAGS, envNameOf } from './global-options.js';
import { FLEETCTL_VERSION } from './version.js';

/**
 * fleetctl's help, in fleet's layout (NAME, USAGE, VERSION, COMMANDS, DESCRIPTION, OPTIONS,
 * GLOBAL OPTIONS; tab-aligned through the same tabwriter as the listings), rendered without
 * yargs so that `--help` stays fast.
 */

const DESCRIPTION_WIDTH = 72;

/** `help` itself, listed with the commands. */
const HELP_SUMMARY = 'Help about any command';

export function renderRootHelp(commands: readonly CommandSpec[], env: Readonly<Record<string, string | undefined>>): string {
  const sections = [
    section('NAME', [['fleetctl - control a fleet cluster: units of containers scheduled across machines, state in etcd']]),
    section('USAGE', [['fleetctl [global options] <command> [command options] [arguments...]']]),
    section('VERSION', [[FLEETCTL_VERSION]]),
    section('COMMANDS', [...commands.map((c) => [c.name, c.summary]), ['help', HELP_SUMMARY]]),
    section('GLOBAL OPTIONS', globalFlagRows(env)),
  ];
  return `${sections.join('\n')}\nRun "fleetctl help <command>" for more details on a specific command.\n`;
}

export function renderCommandHelp(command: CommandSpec, env: Readonly<Record<string, string | undefined>>): string {
  const usage = `fleetctl ${command.name}${command.flags === undefined ? '' : ' [command options]'}${command.operands === '' ? '' : ` ${command.operands}`}`;
  const sections = [
    section('NAME', [[`fleetctl ${command.name} - ${command.summary}`]]),
    section('USAGE', [[usage]]),
    section('DESCRIPTION', wrap(command.description, DESCRIPTION_WIDTH).map((line) => [line])),
  ];
  if (command.examples.length > 0) sections.push(section('EXAMPLES', command.examples.map(([c, m]) => [c, m])));
  if (command.flags !== undefined) sections.push(section('OPTIONS', command.flags.map(flagRow)));
  sections.push(section('GLOBAL OPTIONS', globalFlagRows(env)));
  return sections.join('\n');
}

/** The help of `help`. */
export function renderHelpCommandHelp(env: Readonly<Record<string, string | undefined>>): string {
  return [
    section('NAME', [[`fleetctl help - ${HELP_SUMMARY}`]]),
    section('USAGE', [['fleetctl help [command]']]),
    section('GLOBAL OPTIONS', globalFlagRows(env)),
  ].join('\n');
}

function section(title: string, rows: readonly (readonly string[])[]): string {
  return `${title}:\n${formatTabbed(rows.map((row) => ['', ...row]))}`;
}

function globalFlagRows(env: Readonly<Record<string, string | undefined>>): string[][] {
  const rows = GLOBAL_FLAGS.map((flag) =>
    flagRow({
      name: flag.name,
      type: flag.type,
      default: flag.type === 'boolean' ? (env[envNameOf(flag.name)] ?? flag.fallback) === 'true' : (env[envNameOf(flag.name)] ?? flag.fallback),
      describe: `${flag.describe} (env ${envNameOf(flag.name)})`,
    }),
  );
  rows.push(['-h, --help=false', 'Help for fleetctl or a command']);
  rows.push(['-v, --version=false', 'Print the version and exit']);
  return rows;
}

/** `--name="default"`, `-l, --full=false`: pflag's way, as fleet printed flags. */
function flagRow(flag: FlagSpec): string[] {
  const text = String(flag.default);
  // Counts print bare, as fleet's int flags did (`--block-attempts=0`); strings quoted.
  const value = flag.type === 'boolean' || /^\d+$/.test(text) ? text : JSON.stringify(text);
  return [`${flag.alias === undefined ? '' : `-${flag.alias}, `}--${flag.name}=${value}`, flag.describe];
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
