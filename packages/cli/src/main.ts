import type { Argv } from 'yargs';
import type { FleetApi } from './api.js';
import { Output } from './cli-io.js';
import type { CliIo } from './cli-io.js';
import { OPERANDS } from './command.js';
import type { CommandArgs, CommandContext, CommandSpec } from './command.js';
import { COMMANDS } from './commands/index.js';
import { CliError, describeFailure } from './errors.js';
import { VALUED_GLOBAL_FLAGS, declareGlobalFlags, resolveGlobalOptions } from './global-options.js';
import { renderCommandHelp, renderHelpCommandHelp, renderRootHelp } from './help.js';
import { quickParse } from './quick-parse.js';

export type { CliIo, TextSink } from './cli-io.js';

/**
 * Runs fleetctl with `argv` (the words after the program name) and returns the exit code. Never
 * exits the process and never throws: a failure is reported on stderr with a non-zero code.
 * Help, and the usual command lines (quick-parse.ts), are handled without loading yargs; etcd3,
 * Docker and zod load only in the commands that use them.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const out = new Output(io);
  let api: Promise<FleetApi> | undefined;
  let context = { endpoints: '', debug: false, requestTimeoutMs: 0 };
  try {
    const words = expandCommandPrefix(versionFlagAsCommand(argv));
    const topic = helpTopic(words);
    if (topic !== undefined) {
      out.write(renderHelp(topic, io.env));
      return 0;
    }
    const { command, args } = quickParse(words, io.env) ?? (await parseWithYargs(words, io.env));
    const globals = resolveGlobalOptions(args, io.env);
    context = { endpoints: globals.endpointText, debug: globals.debug, requestTimeoutMs: globals.requestTimeoutMs };
    const ctx: CommandContext = {
      out,
      globals,
      signal: io.signal ?? new AbortController().signal,
      now: io.now ?? Date.now,
      api() {
        api ??= import('./api.js').then(({ FleetApi }) => FleetApi.open(globals, (line) => out.error(line)));
        return api;
      },
    };
    return await command.run(ctx, args);
  } catch (error) {
    const report = describeFailure(error, context);
    out.writeError(report.text);
    return report.exitCode;
  } finally {
    if (api !== undefined) await api.then((opened) => opened.close()).catch(() => undefined);
  }
}

/**
 * What help is asked for, if any: `[]` for the root (no words at all, `--help`/`-h` before any
 * command), `[name]` for a command (`help name`, `name --help`).
 */
function helpTopic(words: readonly string[]): string[] | undefined {
  if (words.length === 0) return [];
  const at = commandWordIndex(words);
  const command = words[at];
  const end = words.indexOf('--');
  const flagged = words.slice(0, end === -1 ? words.length : end).some((w) => w === '--help' || w === '-h');
  if (command === 'help') {
    const subject = words.slice(at + 1).find((w) => !w.startsWith('-'));
    return subject === undefined ? (flagged ? ['help'] : []) : [subject];
  }
  if (!flagged) return undefined;
  return command === undefined ? [] : [command];
}

function renderHelp(topic: readonly string[], env: CliIo['env']): string {
  const name = topic[0];
  if (name === undefined) return renderRootHelp(COMMANDS, env);
  if (name === 'help') return renderHelpCommandHelp(env);
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw unknownCommand(name);
  return renderCommandHelp(command, env);
}

/** Parses with a fresh yargs; yargs' complaints become one-line CliErrors. */
export async function parseWithYargs(
  words: readonly string[],
  env: CliIo['env'],
): Promise<{ command: CommandSpec; args: CommandArgs }> {
  const { default: yargs } = await import('yargs');
  let selected: { command: CommandSpec; args: CommandArgs } | undefined;
  let failure: Error | undefined;
  let y: Argv = yargs()
    .scriptName('fleetctl')
    .parserConfiguration({
      // `--no-block` and `--no-legend` are flags of their own, not negations.
      'boolean-negation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
    })
    .exitProcess(false)
    .strict()
    .help(false)
    .version(false);
  y = declareGlobalFlags(y, env);
  for (const spec of COMMANDS) {
    const signature = spec.operands === '' ? spec.name : `${spec.name} [${OPERANDS}..]`;
    y = y.command(
      signature,
      spec.summary,
      (b) => {
        let built = b;
        for (const flag of spec.flags ?? []) {
          built = built.option(flag.name, {
            type: flag.type,
            default: flag.default,
            hidden: true, // see declareGlobalFlags
            ...(flag.alias === undefined ? {} : { alias: flag.alias }),
          });
        }
        return built;
      },
      (args) => {
        selected = { command: spec, args: args as unknown as CommandArgs };
      },
    );
  }
  y.parse([...words], {}, (error) => {
    failure = error ?? undefined;
  });
  if (failure !== undefined) throw usageError(failure, words);
  if (selected === undefined) {
    const word = words[commandWordIndex(words)];
    throw word === undefined ? new CliError("Error: no command given. Run 'fleetctl help' for usage.") : unknownCommand(word);
  }
  return selected;
}

function unknownCommand(word: string): CliError {
  return new CliError(`Error: unknown command ${JSON.stringify(word)} for "fleetctl". Run 'fleetctl help' for usage.`);
}

/** yargs' complaint as one line. */
function usageError(error: Error, words: readonly string[]): CliError {
  const word = words[commandWordIndex(words)];
  const command = COMMANDS.find((c) => c.name === word);
  if (word !== undefined && command === undefined) return unknownCommand(word);
  const where = command === undefined ? '' : ` ${command.name}`;
  return new CliError(`Error: ${error.message}. Run 'fleetctl help${where}' for usage.`);
}

/** `fleetctl --version` / `-v` as the first word is `fleetctl version`, as in fleet. */
function versionFlagAsCommand(argv: readonly string[]): readonly string[] {
  return argv[0] === '--version' || argv[0] === '-v' ? ['version', ...argv.slice(1)] : argv;
}

/** fleet's command framework accepted any unique prefix of a command name (`list-m`). */
function expandCommandPrefix(argv: readonly string[]): readonly string[] {
  const at = commandWordIndex(argv);
  const word = argv[at];
  if (word === undefined) return argv;
  const names = [...COMMANDS.map((c) => c.name), 'help'];
  if (names.includes(word)) return argv;
  const matches = names.filter((name) => name.startsWith(word));
  if (matches.length !== 1) return argv;
  return [...argv.slice(0, at), matches[0]!, ...argv.slice(at + 1)];
}

/** Index of the first word that is not a global flag or its value. */
function commandWordIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') return i + 1;
    if (!word.startsWith('-')) return i;
    const flag = word.replace(/^--?/, '');
    if (!flag.includes('=') && VALUED_GLOBAL_FLAGS.includes(flag)) i++;
  }
  return argv.length;
}
