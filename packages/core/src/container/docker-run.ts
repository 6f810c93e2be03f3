import { PULL_POLICIES, type ContainerRunSettings } from './container-spec.js';
import {
  parseAbsolutePath,
  parseCount,
  parseEnvAssignment,
  parseLabel,
  parseVolume,
  type HealthTiming,
} from './container-values.js';
import type { Parsed } from './parsed.js';
import { parsePortMappings } from './port-mappings.js';
import {
  finishRunSettings,
  healthTimingWithoutCommand,
  newRunSettingsDraft,
  type RunSettingsDraft,
} from './run-settings-draft.js';
import { parseByteSize, parseFiniteTimeSpanMs, parseNanoCpus } from './units-of-measure.js';

/** Where classic fleet units found the docker client. */
export const DOCKER_PATHS: readonly string[] = [
  '/usr/bin/docker',
  '/bin/docker',
  '/usr/local/bin/docker',
  'docker',
];

/** `docker VERB …` or `docker container VERB …`; undefined for any other command. */
export function dockerCommand(
  words: readonly string[],
): { verb: string; args: string[] } | undefined {
  const [program, first, ...rest] = words;
  if (program === undefined || first === undefined) return undefined;
  if (!DOCKER_PATHS.includes(program)) return undefined;
  if (first !== 'container') return { verb: first, args: rest };
  const [verb, ...args] = rest;
  return verb === undefined ? undefined : { verb, args };
}

type RunFlag =
  | 'name'
  | 'rm'
  | 'publish'
  | 'env'
  | 'volume'
  | 'workdir'
  | 'user'
  | 'entrypoint'
  | 'network'
  | 'hostname'
  | 'memory'
  | 'cpus'
  | 'label'
  | 'interactive'
  | 'tty'
  | 'detach'
  | 'pull'
  | 'health-cmd'
  | 'health-interval'
  | 'health-timeout'
  | 'health-retries'
  | 'health-start-period'
  | 'no-healthcheck';

/** Long flag names (without `--`); `--net` is docker's older spelling of `--network`. */
const LONG_FLAGS: ReadonlyMap<string, RunFlag> = new Map<string, RunFlag>([
  ['name', 'name'],
  ['rm', 'rm'],
  ['publish', 'publish'],
  ['env', 'env'],
  ['volume', 'volume'],
  ['workdir', 'workdir'],
  ['user', 'user'],
  ['entrypoint', 'entrypoint'],
  ['net', 'network'],
  ['network', 'network'],
  ['hostname', 'hostname'],
  ['memory', 'memory'],
  ['cpus', 'cpus'],
  ['label', 'label'],
  ['interactive', 'interactive'],
  ['tty', 'tty'],
  ['detach', 'detach'],
  ['pull', 'pull'],
  ['health-cmd', 'health-cmd'],
  ['health-interval', 'health-interval'],
  ['health-timeout', 'health-timeout'],
  ['health-retries', 'health-retries'],
  ['health-start-period', 'health-start-period'],
  ['no-healthcheck', 'no-healthcheck'],
]);

const SHORT_FLAGS: ReadonlyMap<string, RunFlag> = new Map<string, RunFlag>([
  ['p', 'publish'],
  ['e', 'env'],
  ['v', 'volume'],
  ['w', 'workdir'],
  ['u', 'user'],
  ['h', 'hostname'],
  ['m', 'memory'],
  ['l', 'label'],
  ['i', 'interactive'],
  ['t', 'tty'],
  ['d', 'detach'],
]);

const BOOLEAN_FLAGS: ReadonlySet<RunFlag> = new Set<RunFlag>([
  'rm',
  'interactive',
  'tty',
  'detach',
  'no-healthcheck',
]);

const HEALTH_TIMING_FLAGS: Readonly<Record<keyof HealthTiming, string>> = {
  intervalMs: '--health-interval',
  timeoutMs: '--health-timeout',
  retries: '--health-retries',
  startPeriodMs: '--health-start-period',
};

export interface DockerRunReading {
  /** Present when the command had no problems. */
  readonly settings: ContainerRunSettings | undefined;
  readonly errors: string[];
}

/**
 * Translates the arguments after `docker run` into container settings, reading flags the way
 * docker's own parser does: `--flag value`, `--flag=value`, `-fvalue`, `-f=value`, clustered
 * boolean shorthands (`-it`), and flags only up to the image (or `--`); the words after the image
 * are the command. Problems are prefixed with `where`. Parsing stops at an unsupported flag,
 * since whether it takes a value, and so where the image is, is then unknown.
 */
export function translateDockerRun(args: readonly string[], where: string): DockerRunReading {
  const errors: string[] = [];
  const fail = (problem: string): DockerRunReading => {
    errors.push(`${where}: ${problem}`);
    return { settings: undefined, errors };
  };
  const apply = (flag: RunFlag, written: string, value: string | undefined): void => {
    const problem = applyRunFlag(draft, flag, written, value);
    if (problem !== undefined) errors.push(`${where}: ${problem}`);
  };
  const draft = newRunSettingsDraft();
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const written = eq < 0 ? arg : arg.slice(0, eq);
      const flag = LONG_FLAGS.get(written.slice(2));
      if (flag === undefined) return fail(`docker run flag "${written}" is not supported`);
      let value = eq < 0 ? undefined : arg.slice(eq + 1);
      i++;
      if (value === undefined && !BOOLEAN_FLAGS.has(flag)) {
        value = args[i++];
        if (value === undefined) return fail(`docker run flag "${written}" needs a value`);
      }
      apply(flag, written, value);
    } else if (arg.startsWith('-') && arg.length > 1) {
      i++;
      for (let j = 1; j < arg.length; j++) {
        const written = `-${arg[j]!}`;
        const flag = SHORT_FLAGS.get(arg[j]!);
        if (flag === undefined) return fail(`docker run flag "${written}" is not supported`);
        const rest = arg.slice(j + 1);
        if (BOOLEAN_FLAGS.has(flag) && !rest.startsWith('=')) {
          apply(flag, written, undefined);
          continue;
        }
        let value: string | undefined = rest.startsWith('=') ? rest.slice(1) : rest;
        if (rest === '') {
          value = args[i++];
          if (value === undefined) return fail(`docker run flag "${written}" needs a value`);
        }
        apply(flag, written, value);
        break;
      }
    } else {
      break;
    }
  }
  const image = args[i];
  if (image === undefined || image === '') return fail('docker run needs an image');
  const command = args.slice(i + 1);
  if (command.length > 0) draft.cmd = command;
  for (const field of healthTimingWithoutCommand(draft)) {
    errors.push(`${where}: docker run ${HEALTH_TIMING_FLAGS[field]} needs --health-cmd`);
  }
  return { settings: errors.length === 0 ? finishRunSettings(draft, image) : undefined, errors };
}

/** Applies one flag; returns a problem, if any. `value` is undefined for a bare boolean flag. */
function applyRunFlag(
  draft: RunSettingsDraft,
  flag: RunFlag,
  written: string,
  value: string | undefined,
): string | undefined {
  if (BOOLEAN_FLAGS.has(flag)) {
    const on = value === undefined ? true : parseBoolean(value);
    if (on === undefined) {
      return `docker run flag "${written}" expects true or false, got "${value}"`;
    }
    if (flag === 'detach' && on) {
      return `docker run flag "${written}" is not supported (fleet units run in the foreground)`;
    }
    if (flag === 'no-healthcheck' && on) draft.healthCmd = 'none';
    // --rm, -i and -t change nothing: the agent removes containers itself and attaches no tty.
    return undefined;
  }
  const text = value ?? '';
  const take = <T>(parsed: Parsed<T>, use: (v: T) => unknown): string | undefined => {
    if (!parsed.ok) return `docker run ${written}: ${parsed.error}`;
    use(parsed.value);
    return undefined;
  };
  switch (flag) {
    case 'name':
      draft.name = text === '' ? undefined : text;
      return undefined;
    case 'user':
      draft.user = text === '' ? undefined : text;
      return undefined;
    case 'hostname':
      draft.hostname = text === '' ? undefined : text;
      return undefined;
    case 'network':
      draft.network = text === '' ? undefined : text;
      return undefined;
    case 'entrypoint':
      // As docker: `--entrypoint=` resets the image's entrypoint, which the API spells [''].
      draft.entrypoint = [text];
      return undefined;
    case 'health-cmd':
      draft.healthCmd = text;
      return undefined;
    case 'publish':
      return take(parsePortMappings(text), (ports) => draft.ports.push(...ports));
    case 'env':
      return take(parseEnvAssignment(text), (assignment) => draft.env.push(assignment));
    case 'volume':
      return take(parseVolume(text), (volume) => draft.volumes.push(volume));
    case 'label':
      return take(parseLabel(text), ([k, v]) => draft.labels.set(k, v));
    case 'workdir':
      return take(parseAbsolutePath(text), (dir) => (draft.workingDir = dir));
    case 'memory':
      return take(parseByteSize(text), (bytes) => (draft.memoryBytes = bytes));
    case 'cpus':
      return take(parseNanoCpus(text), (nano) => (draft.nanoCpus = nano));
    case 'health-interval':
      return take(parseFiniteTimeSpanMs(text), (ms) => (draft.healthTiming.intervalMs = ms));
    case 'health-timeout':
      return take(parseFiniteTimeSpanMs(text), (ms) => (draft.healthTiming.timeoutMs = ms));
    case 'health-start-period':
      return take(parseFiniteTimeSpanMs(text), (ms) => (draft.healthTiming.startPeriodMs = ms));
    case 'health-retries':
      return take(parseCount(text), (n) => (draft.healthTiming.retries = n));
    case 'pull': {
      const policy = PULL_POLICIES.find((p) => p === text);
      if (policy === undefined) {
        const expected = PULL_POLICIES.join(', ');
        return `docker run ${written}: invalid value "${text}" (expected ${expected})`;
      }
      draft.pull = policy;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Go's strconv.ParseBool, which docker's flag parser uses. */
function parseBoolean(text: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(text)) return false;
  return undefined;
}
