import { sameImage } from './container-values.js';
import { dockerCommand } from './docker-run.js';
import { splitShellWords } from './shell-words.js';

/**
 * What one of a classic unit's housekeeping lines (ExecStartPre=-/usr/bin/docker kill NAME,
 * … rm NAME, … pull IMAGE, ExecStop=… stop NAME) means for the container. Such lines are
 * understood, never run: the agent kills, removes and stops its containers itself.
 */
export type Housekeeping =
  /** kill, rm, or stop without a timeout, of the unit's own container: nothing to do. */
  | { readonly kind: 'none' }
  /** `docker pull IMAGE` of the unit's image: Pull=always. */
  | { readonly kind: 'pull' }
  /** `docker stop -t N NAME`: the stop timeout is N seconds. */
  | { readonly kind: 'stop-timeout'; readonly seconds: number };

/** The unit's container, which housekeeping lines must name. */
export interface HousekeepingTarget {
  readonly name: string | undefined;
  readonly image: string;
}

/** systemd's command prefixes; `@` also means the next word is argv[0] rather than an argument. */
const EXEC_PREFIX = /^[-@:+!]+/;

/**
 * Interprets one expanded ExecStartPre/ExecStartPost/ExecStop/ExecStopPost value; undefined when it
 * is anything but a docker kill, rm or stop of `target.name` or a docker pull of `target.image`.
 */
export function interpretHousekeeping(
  value: string,
  target: HousekeepingTarget,
): Housekeeping | undefined {
  const prefix = EXEC_PREFIX.exec(value)?.[0] ?? '';
  const split = splitShellWords(value.slice(prefix.length));
  if (!split.ok) return undefined;
  // With `@` the second word is argv[0], not an argument.
  const [program = '', , ...rest] = split.value;
  const words = prefix.includes('@') ? [program, ...rest] : split.value;
  const command = dockerCommand(words);
  if (command === undefined) return undefined;
  const ownNames = (names: readonly string[]): boolean =>
    names.length > 0 && target.name !== undefined && names.every((n) => n === target.name);
  const { verb, args } = command;
  switch (verb) {
    case 'kill':
      return ownNames(args) ? { kind: 'none' } : undefined;
    case 'rm': {
      const names = args.filter((a) => !RM_FLAGS.test(a));
      return ownNames(names) ? { kind: 'none' } : undefined;
    }
    case 'stop': {
      const parsed = stopArguments(args);
      if (parsed === undefined || !ownNames(parsed.names)) return undefined;
      if (parsed.seconds === undefined) return { kind: 'none' };
      return { kind: 'stop-timeout', seconds: parsed.seconds };
    }
    case 'pull': {
      const images = args.filter((a) => a !== '-q' && a !== '--quiet');
      const own = images.length === 1 && sameImage(images[0]!, target.image);
      return own ? { kind: 'pull' } : undefined;
    }
    default:
      return undefined;
  }
}

/** `-f`, `-v`, `-fv`, `--force`, `--volumes` (and `=true`): harmless for a container fleet owns. */
const RM_FLAGS = /^(?:-[fv]+|--(?:force|volumes)(?:=true)?)$/;

/** `docker stop [-t N | --time N | --time=N | -tN | -t=N] NAME…` */
function stopArguments(
  args: readonly string[],
): { names: string[]; seconds: number | undefined } | undefined {
  const names: string[] = [];
  let seconds: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const attached = /^(?:-t=?|--time=)(.*)$/.exec(arg);
    let text: string | undefined;
    if (arg === '-t' || arg === '--time') text = args[++i];
    else if (attached !== null) text = attached[1];
    else if (arg.startsWith('-')) return undefined;
    else {
      names.push(arg);
      continue;
    }
    if (text === undefined || !/^\d+$/.test(text)) return undefined;
    seconds = Number(text);
  }
  return { names, seconds };
}
