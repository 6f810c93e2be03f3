import type { Argv } from 'yargs';
import type { FleetApi } from './api.js';
import type { Output } from './cli-io.js';
import { CliError } from './errors.js';
import type { GlobalOptions } from './global-options.js';

/** What a command runs with. Heavy modules are reached only through `api()` or dynamic imports. */
export interface CommandContext {
  readonly out: Output;
  readonly globals: GlobalOptions;
  /** Aborted when the user interrupts fleetctl. */
  readonly signal: AbortSignal;
  now(): number;
  /** The registry, opened on first use and closed by main when the command ends. */
  api(): Promise<FleetApi>;
}

/** Parsed arguments as yargs hands them over. */
export type CommandArgs = Readonly<Record<string, unknown>> & { readonly _: readonly (string | number)[] };

/** One fleetctl command: its help, its flags and what it does. Returns the exit code. */
export interface CommandSpec {
  readonly name: string;
  /** Positional part of the usage line, e.g. `UNIT...`. */
  readonly operands: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Paragraph(s) for `fleetctl help <command>`. */
  readonly description: string;
  readonly examples: readonly (readonly [command: string, meaning: string])[];
  /** Command-local flags. */
  readonly flags?: (y: Argv) => Argv;
  run(ctx: CommandContext, args: CommandArgs): Promise<number>;
}

/** The words after the command name (unit names), as strings. */
export function operandsOf(args: CommandArgs): string[] {
  return args._.slice(1).map(String);
}

/** `--no-block` and `--block-attempts=N` (start, stop, load, unload, destroy). */
export function blockFlags(y: Argv): Argv {
  return y
    .option('no-block', {
      type: 'boolean',
      default: false,
      describe: 'Do not wait for the units to reach the state; print what was triggered',
    })
    .option('block-attempts', {
      type: 'string',
      default: '0',
      describe: 'Give up after N attempts of about 2 s each (0: wait forever)',
    });
}

/** How long to wait: -1 = do not wait, 0 = forever, N = N attempts of 2 s. */
export function blockAttemptsOf(args: CommandArgs): number {
  if (args['no-block'] === true) return -1;
  return attemptsOf(args);
}

/** `--block-attempts` alone (restart has no --no-block). */
export function attemptsOf(args: CommandArgs): number {
  const text = String(args['block-attempts'] ?? '0');
  if (!/^\d+$/.test(text.trim())) {
    throw new CliError(`Error: invalid --block-attempts ${JSON.stringify(text)}: expected a whole number (0: wait forever)`);
  }
  return Number(text.trim());
}

export function replaceFlag(y: Argv): Argv {
  return y.option('replace', {
    type: 'boolean',
    default: false,
    describe: 'Replace units in the registry whose local unit files differ',
  });
}

/** `--full` (with `-l` where fleet documented it), `--no-legend`, `--fields`. */
export function listFlags(y: Argv, options: { shortL: boolean; fields: string; keys: string }): Argv {
  return y
    .option('full', {
      type: 'boolean',
      default: false,
      describe: 'Do not ellipsize machine IDs and hashes',
      ...(options.shortL ? { alias: 'l' } : {}),
    })
    .option('no-legend', { type: 'boolean', default: false, describe: 'Do not print a legend (column headers)' })
    .option('fields', {
      type: 'string',
      default: options.fields,
      describe: `Columns to print, comma-separated, from: ${options.keys}`,
    });
}
