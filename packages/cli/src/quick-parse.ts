import type { CommandArgs, CommandSpec, FlagSpec } from './command.js';
import { OPERANDS } from './command.js';
import { COMMANDS } from './commands/index.js';
import { GLOBAL_FLAGS, globalFlagDefaults } from './global-options.js';

/** A flag as this parser needs it. */
type Flag = Pick<FlagSpec, 'name' | 'type'>;

const GLOBALS = new Map<string, Flag>(GLOBAL_FLAGS.map((f) => [f.name, f]));

/**
 * Parses the command lines fleetctl is nearly always given without loading yargs (~45 ms of CPU
 * in a fresh process): a command, its operands as plain words, and declared flags once each as
 * `--name=value`, `--name value`, `--flag` or a declared one-letter alias (`-l`, `-n 5`). Returns
 * exactly what yargs would (same defaults, environment included), or undefined for anything else
 * (an unknown or repeated flag, `--`, a value that starts with `-` or a quote, `--flag true`, an operand to
 * a command that takes none...): yargs then parses it and reports its errors. The unit test
 * checks the two agree on every line this accepts.
 */
export function quickParse(
  words: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { command: CommandSpec; args: CommandArgs } | undefined {
  let command: CommandSpec | undefined;
  const operands: string[] = [];
  const given = new Map<string, string | boolean>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('-')) {
      if (word === '' || quoted(word)) return undefined;
      if (command === undefined) {
        command = COMMANDS.find((c) => c.name === word);
        if (command === undefined) return undefined;
      } else {
        if (command.operands === '') return undefined;
        operands.push(word);
      }
      continue;
    }
    let flag: Flag | undefined;
    let value: string | undefined;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      // A command's own flags count only after the command, as yargs declares them there.
      flag = GLOBALS.get(name) ?? command?.flags?.find((f) => f.name === name);
      if (eq !== -1) value = word.slice(eq + 1);
    } else if (word.length === 2) {
      flag = command?.flags?.find((f) => f.alias === word[1]);
    }
    if (flag === undefined || given.has(flag.name)) return undefined;
    const next = words[i + 1];
    if (flag.type === 'boolean') {
      // yargs reads `--flag=x` and `--flag true|false` as values of the flag.
      if (value !== undefined || next === 'true' || next === 'false') return undefined;
      given.set(flag.name, true);
      continue;
    }
    if (value === undefined) {
      if (next === undefined || next === '' || next.startsWith('-')) return undefined;
      value = next;
      i++;
    }
    if (quoted(value)) return undefined;
    given.set(flag.name, value);
  }
  if (command === undefined) return undefined;
  const args: Record<string, unknown> = { _: [command.name] };
  for (const [name, value] of globalFlagDefaults(env)) args[name] = value;
  for (const flag of command.flags ?? []) args[flag.name] = flag.default;
  for (const [name, value] of given) args[name] = value;
  if (command.operands !== '') args[OPERANDS] = operands;
  return { command, args: args as CommandArgs };
}

/** yargs strips quotes around a value (`--fields="unit"` is `unit`): leave those to it. */
function quoted(text: string): boolean {
  return text.startsWith('"') || text.startsWith("'");
}
