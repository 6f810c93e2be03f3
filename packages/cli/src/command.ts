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
  readonly flags?: readonly FlagSpec[];
  run(ctx: CommandContext, args: CommandArgs): Promise<number>;
}

/** The words after the command name (unit names), as strings. */
export function operandsOf(args: CommandArgs): string[] {
  const operands = args[OPERANDS];
  return Array.isArray(operands) ? operands.map(String) : [];
}

/** Name of the positional that collects a command's operands (unit names). */
export const OPERANDS = 'operands';

/** A command-line flag, declared as data: yargs is given it to parse, help prints it. */
export interface FlagSpec {
  readonly name: string;
  /** A one-letter alias (`-l`). */
  readonly alias?: string;
  readonly type: 'string' | 'boolean';
  /** Printed by help as fleet did (`--block-attempts=0`); booleans default to false. */
  readonly default: string | boolean;
  readonly describe: string;
}

/** `--no-block` and `--block-attempts=N` (start, stop, load, unload, destroy). */
export const BLOCK_FLAGS: readonly FlagSpec[] = [
  {
    name: 'block-attempts',
    type: 'string',
    default: '0',
    describe: 'Wait until the units reach their state, performing up to N attempts of about 2 s each (0: wait forever)',
  },
  {
    name: 'no-block',
    type: 'boolean',
    default: false,
    describe: 'Do not wait until the units reach their state; print what was triggered',
  },
];

export const REPLACE_FLAG: FlagSpec = {
  name: 'replace',
  type: 'boolean',
  default: false,
  describe: 'Replace units in the registry whose local unit files differ',
};

/** `--fields`, `--full` (with `-l` where fleet documented it), `--no-legend`. */
export function listFlags(options: { shortL: boolean; fields: string; keys: string }): FlagSpec[] {
  return [
    { name: 'fields', type: 'string', default: options.fields, describe: `Columns to print, comma-separated, from: ${options.keys}` },
    {
      name: 'full',
      type: 'boolean',
      default: false,
      describe: 'Do not ellipsize machine IDs and hashes',
      ...(options.shortL ? { alias: 'l' } : {}),
    },
    { name: 'no-legend', type: 'boolean', default: false, describe: 'Do not print a legend (column headers)' },
  ];
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
