import type { UnitOption } from '../unit/unit-file.js';
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
import { splitShellWords } from './shell-words.js';
import { parseByteSize, parseFiniteTimeSpanMs, parseNanoCpus } from './units-of-measure.js';

/** The `[Container]` keys we read: Podman Quadlet's names for what maps onto Docker. */
export const CONTAINER_KEYS = [
  'Image',
  'Exec',
  'Entrypoint',
  'Environment',
  'PublishPort',
  'Volume',
  'Label',
  'Network',
  'User',
  'WorkingDir',
  'HostName',
  'ContainerName',
  'Memory',
  'CPUs',
  'HealthCmd',
  'HealthInterval',
  'HealthTimeout',
  'HealthRetries',
  'HealthStartPeriod',
  'Pull',
] as const;
type ContainerKey = (typeof CONTAINER_KEYS)[number];

const HEALTH_TIMING_KEYS: Readonly<Record<keyof HealthTiming, ContainerKey>> = {
  intervalMs: 'HealthInterval',
  timeoutMs: 'HealthTimeout',
  retries: 'HealthRetries',
  startPeriodMs: 'HealthStartPeriod',
};

export interface ContainerSectionReading {
  /** Present when the section had no problems. */
  readonly settings: ContainerRunSettings | undefined;
  readonly errors: string[];
}

/**
 * Reads a unit's `[Container]` options in file order. Specifiers are expanded in each value first.
 * List keys (Environment, PublishPort, Volume, Label) accumulate and an empty value clears them;
 * for scalar keys the last value wins and an empty value unsets the key, as in Quadlet.
 */
export function readContainerSection(
  options: readonly UnitOption[],
  expand: (value: string) => Parsed<string>,
): ContainerSectionReading {
  const errors: string[] = [];
  const draft = newRunSettingsDraft();
  let imageUnreadable = false;
  for (const option of options) {
    const report = (problem: string): void => {
      errors.push(`[Container] ${option.name}: ${problem}`);
    };
    if (!isContainerKey(option.name)) {
      report('unknown key');
      continue;
    }
    const expanded = expand(option.value);
    if (!expanded.ok) {
      report(expanded.error);
      if (option.name === 'Image') imageUnreadable = true;
      continue;
    }
    const problem = applyContainerOption(draft, option.name, expanded.value);
    if (problem !== undefined) report(problem);
  }
  if (draft.image === undefined && !imageUnreadable) errors.push('[Container] Image= is required');
  for (const field of healthTimingWithoutCommand(draft)) {
    errors.push(`[Container] ${HEALTH_TIMING_KEYS[field]}: needs HealthCmd`);
  }
  const { image } = draft;
  const ok = errors.length === 0 && image !== undefined;
  return { settings: ok ? finishRunSettings(draft, image) : undefined, errors };
}

function isContainerKey(name: string): name is ContainerKey {
  return (CONTAINER_KEYS as readonly string[]).includes(name);
}

/** Applies one expanded value; returns a problem, if any. */
function applyContainerOption(
  draft: RunSettingsDraft,
  key: ContainerKey,
  value: string,
): string | undefined {
  const trimmed = value.trim();
  const unset = trimmed === '';
  switch (key) {
    case 'Image':
      draft.image = unset ? undefined : trimmed;
      return undefined;
    case 'Network':
      draft.network = unset ? undefined : trimmed;
      return undefined;
    case 'User':
      draft.user = unset ? undefined : trimmed;
      return undefined;
    case 'HostName':
      draft.hostname = unset ? undefined : trimmed;
      return undefined;
    case 'ContainerName':
      draft.name = unset ? undefined : trimmed;
      return undefined;
    case 'HealthCmd':
      draft.healthCmd = unset ? undefined : trimmed;
      return undefined;
    case 'Exec':
      draft.cmd = undefined;
      return unset ? undefined : take(splitShellWords(value), (words) => (draft.cmd = words));
    case 'Entrypoint':
      draft.entrypoint = undefined;
      return unset ? undefined : take(parseEntrypoint(trimmed), (e) => (draft.entrypoint = e));
    case 'WorkingDir':
      draft.workingDir = undefined;
      return unset ? undefined : take(parseAbsolutePath(trimmed), (d) => (draft.workingDir = d));
    case 'Memory':
      draft.memoryBytes = undefined;
      return unset ? undefined : take(parseByteSize(value), (bytes) => (draft.memoryBytes = bytes));
    case 'CPUs':
      draft.nanoCpus = undefined;
      return unset ? undefined : take(parseNanoCpus(value), (nano) => (draft.nanoCpus = nano));
    case 'Environment':
      if (unset) draft.env = [];
      return eachWord(value, parseEnvAssignment, (assignment) => draft.env.push(assignment));
    case 'Label':
      if (unset) draft.labels.clear();
      return eachWord(value, parseLabel, ([k, v]) => draft.labels.set(k, v));
    case 'PublishPort':
      if (unset) draft.ports = [];
      return unset ? undefined : take(parsePortMappings(value), (p) => draft.ports.push(...p));
    case 'Volume':
      if (unset) draft.volumes = [];
      return unset ? undefined : take(parseVolume(value), (volume) => draft.volumes.push(volume));
    case 'HealthInterval':
      return setTiming(draft, 'intervalMs', value, parseFiniteTimeSpanMs);
    case 'HealthTimeout':
      return setTiming(draft, 'timeoutMs', value, parseFiniteTimeSpanMs);
    case 'HealthStartPeriod':
      return setTiming(draft, 'startPeriodMs', value, parseFiniteTimeSpanMs);
    case 'HealthRetries':
      return setTiming(draft, 'retries', value, parseCount);
    case 'Pull': {
      const policy = unset ? 'missing' : PULL_POLICIES.find((p) => p === trimmed);
      if (policy === undefined) {
        return `invalid value "${value}" (expected ${PULL_POLICIES.join(', ')})`;
      }
      draft.pull = policy;
      return undefined;
    }
  }
}

/** Quadlet's Entrypoint=: a JSON array of strings, or else the whole value as one program path. */
function parseEntrypoint(trimmed: string): Parsed<string[]> {
  if (!trimmed.startsWith('[')) return { ok: true, value: [trimmed] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    parsed = undefined;
  }
  return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')
    ? { ok: true, value: parsed as string[] }
    : { ok: false, error: `invalid JSON array of strings "${trimmed}"` };
}

function setTiming(
  draft: RunSettingsDraft,
  field: keyof HealthTiming,
  value: string,
  parse: (text: string) => Parsed<number>,
): string | undefined {
  if (value.trim() === '') {
    delete draft.healthTiming[field];
    return undefined;
  }
  return take(parse(value), (n) => (draft.healthTiming[field] = n));
}

/** Hands a parsed value to `use`, or returns the parse problem. */
function take<T>(parsed: Parsed<T>, use: (value: T) => unknown): string | undefined {
  if (!parsed.ok) return parsed.error;
  use(parsed.value);
  return undefined;
}

/** Shell-splits a word list (Environment=, Label=) and parses each word, up to a bad one. */
function eachWord<T>(
  value: string,
  parse: (word: string) => Parsed<T>,
  use: (item: T) => unknown,
): string | undefined {
  const words = splitShellWords(value);
  if (!words.ok) return words.error;
  for (const word of words.value) {
    const problem = take(parse(word), use);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
