import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { OPERANDS, operandsOf } from '../../../packages/cli/src/command.js';
import { COMMANDS } from '../../../packages/cli/src/commands/index.js';
import { GLOBAL_FLAGS } from '../../../packages/cli/src/global-options.js';
import { parseWithYargs } from '../../../packages/cli/src/main.js';
import { quickParse } from '../../../packages/cli/src/quick-parse.js';

type Env = Record<string, string>;

/** What a command reads of its parsed arguments: the flags it and fleetctl declare, its operands. */
function meaning(command: string, args: Readonly<Record<string, unknown>>): unknown {
  const spec = COMMANDS.find((c) => c.name === command)!;
  const names = [...GLOBAL_FLAGS.map((f) => f.name), ...(spec.flags ?? []).map((f) => f.name)];
  return { command, flags: Object.fromEntries(names.map((n) => [n, args[n]])), operands: operandsOf(args as never) };
}

async function outcome(parse: () => Promise<{ command: { name: string }; args: Record<string, unknown> } | undefined>): Promise<unknown> {
  try {
    const parsed = await parse();
    return parsed === undefined ? undefined : meaning(parsed.command.name, parsed.args);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const localFlagWords = COMMANDS.flatMap((c) =>
  (c.flags ?? []).flatMap((f) => [`--${f.name}`, `--${f.name}=x`, ...(f.alias === undefined ? [] : [`-${f.alias}`])]),
);
const WORDS = [
  ...COMMANDS.map((c) => c.name),
  'help', 'frob', 'hello.service', 'web@1', 'x', '1', '-5', 'true', 'false', '', 'unit,machine', '"q"', "'q'", 'http://h:1',
  ...GLOBAL_FLAGS.flatMap((f) => [`--${f.name}`, `--${f.name}=http://e:2`, `--${f.name}=`]),
  ...localFlagWords,
  '--', '-', '--bogus', '-x', '-lf', '--full=true', '--fields="a"', '--noLegend', '--etcdKeyPrefix=/p/', '-n=3', '--no-legend=false',
];
/** Mostly lines of the usual shape (global flags, a command, words), any word anywhere. */
const commandLine = fc
  .tuple(
    fc.array(fc.constantFrom(...GLOBAL_FLAGS.flatMap((f) => [`--${f.name}=http://e:3`, `--${f.name}`, 'http://e:4'])), { maxLength: 2 }),
    fc.constantFrom(...COMMANDS.map((c) => c.name)),
    fc.array(fc.oneof(fc.constantFrom(...localFlagWords, 'hello.service', 'x@1', '5'), fc.constantFrom(...WORDS)), { maxLength: 5 }),
  )
  .map(([globals, command, rest]) => [...globals, command, ...rest])
  .chain((words) => fc.oneof(fc.constant(words), fc.shuffledSubarray(words, { minLength: words.length })));
const ENVS: Env[] = [{}, { FLEETCTL_ENDPOINT: 'http://env:1' }, { FLEETCTL_DEBUG: 'true', FLEETCTL_CA_FILE: '/ca' }, { FLEETCTL_DEBUG: 'bogus' }];

describe('quickParse (command lines parsed without yargs)', () => {
  it('parses whatever it accepts exactly as yargs does, environment defaults and errors included', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(commandLine, fc.constantFrom(...ENVS), async (words, env) => {
        const quick = await outcome(async () => quickParse(words, env));
        if (quick === undefined) return;
        accepted += 1;
        expect({ words, env, parsed: await outcome(() => parseWithYargs(words, env)) }).toEqual({ words, env, parsed: quick });
      }),
      { numRuns: 8000 },
    );
    // The property says something only about the lines quickParse takes.
    expect(accepted).toBeGreaterThan(500);
  });

  it('accepts the usual command lines', () => {
    const usual = [
      ['list-units'],
      ['--endpoint=http://127.0.0.1:2379', '--etcd-key-prefix=/p/', 'list-units', '--no-legend', '--full'],
      ['--endpoint', 'http://127.0.0.1:2379', 'start', 'units/hello.service', 'web@1'],
      ['list-units', '-l', '--fields', 'unit,hash'],
      ['journal', '-f', '-n', '20', 'hello.service'],
      ['destroy', '--no-block', '--debug', 'a', 'b'],
      ['version'],
    ];
    for (const words of usual) expect(quickParse(words, {})).toBeDefined();
    expect(quickParse(['start', '--block-attempts=3', 'a'], {})?.args).toMatchObject({ 'block-attempts': '3', 'no-block': false, [OPERANDS]: ['a'], endpoint: 'http://127.0.0.1:2379' });
  });

  it('leaves the rest to yargs', () => {
    for (const words of [[], ['frob'], ['list-units', 'extra'], ['list-units', '--bogus'], ['start', '--', 'a'], ['--full', 'list-units'], ['list-units', '--full', 'true'], ['list-units', '--fields'], ['list-machines', '--fields="a"'], ['list-units', '--fields', "'unit'"], ['start', '"a"']]) {
      expect(quickParse(words, {})).toBeUndefined();
    }
  });
});
