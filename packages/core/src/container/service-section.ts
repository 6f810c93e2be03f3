import type { UnitOption } from '../unit/unit-file.js';
import { RESTART_POLICIES, type ContainerSpec } from './container-spec.js';
import type { Parsed } from './parsed.js';
import { parseFiniteTimeSpanMs, parseTimeSpanMs } from './units-of-measure.js';

/** systemd's defaults, except TimeoutStartSec: none, as a container start has no readiness step. */
export const SERVICE_DEFAULTS = {
  restart: 'no',
  restartSecMs: 100,
  stopTimeoutSec: 10,
  startTimeoutMs: 0,
} as const satisfies Pick<
  ContainerSpec,
  'restart' | 'restartSecMs' | 'stopTimeoutSec' | 'startTimeoutMs'
>;

/** Command lines that are understood, not run (see docker-housekeeping.ts). */
export const HOUSEKEEPING_KEYS = [
  'ExecStartPre',
  'ExecStartPost',
  'ExecStop',
  'ExecStopPost',
] as const;

/**
 * [Service] keys that only shape how systemd runs the host process (the docker client, in a
 * classic unit) and change nothing about the container; they are accepted and ignored.
 */
export const IGNORED_SERVICE_KEYS: readonly string[] = [
  'RemainAfterExit',
  'KillMode',
  'GuessMainPID',
  'NotifyAccess',
  'StandardInput',
  'StandardOutput',
  'StandardError',
  'SyslogIdentifier',
  'SyslogFacility',
  'SyslogLevel',
  'StartLimitInterval',
  'StartLimitIntervalSec',
  'StartLimitBurst',
  'Slice',
  'CPUShares',
  'CPUWeight',
  'CPUQuota',
  'MemoryLimit',
  'MemoryMax',
  'MemoryHigh',
  'TasksMax',
  'Nice',
  'LimitNOFILE',
  'LimitNPROC',
  'LimitCORE',
  'LimitMEMLOCK',
];

/** Type= values under which a `docker run` in the foreground behaves as our containers do. */
const SERVICE_TYPES = ['simple', 'exec', 'notify', 'idle'];

/** Keys refused with a pointer to what to write instead: ignoring them would change meaning. */
const REFUSED_WITH_HINT: ReadonlyMap<string, string> = new Map([
  ['Environment', 'use Environment= in [Container] or docker run -e'],
  ['EnvironmentFile', 'host files are not read; use Environment= in [Container] or docker run -e'],
  ['User', 'use User= in [Container] or docker run -u'],
  ['Group', 'use User= in [Container] or docker run -u'],
  ['WorkingDirectory', 'use WorkingDir= in [Container] or docker run -w'],
  ['ExecReload', 'fleet runs containers, not host commands'],
]);

/** One command line of the unit, as written and with specifiers expanded. */
export interface ExecLine {
  readonly key: string;
  readonly raw: string;
  readonly value: string;
}

export interface ServiceSettings {
  readonly restart: ContainerSpec['restart'];
  readonly restartSecMs: number;
  readonly stopTimeoutSec: number;
  readonly startTimeoutMs: number;
  readonly execStart: readonly ExecLine[];
  /** ExecStartPre/ExecStartPost/ExecStop/ExecStopPost lines, in file order. */
  readonly housekeeping: readonly ExecLine[];
}

export interface ServiceSectionReading {
  readonly settings: ServiceSettings;
  readonly errors: string[];
}

/**
 * Reads a unit's `[Service]` options in file order (last value wins; an empty value restores the
 * default, or clears an Exec* list as in systemd). Specifiers are expanded in the values read.
 */
export function readServiceSection(
  options: readonly UnitOption[],
  expand: (value: string) => Parsed<string>,
): ServiceSectionReading {
  const errors: string[] = [];
  let restart: ContainerSpec['restart'] = SERVICE_DEFAULTS.restart;
  let restartSecMs: number = SERVICE_DEFAULTS.restartSecMs;
  let stopTimeoutSec: number = SERVICE_DEFAULTS.stopTimeoutSec;
  let startTimeoutMs: number = SERVICE_DEFAULTS.startTimeoutMs;
  let execStart: ExecLine[] = [];
  let housekeeping: ExecLine[] = [];

  for (const option of options) {
    const key = option.name;
    const report = (problem: string): void => {
      errors.push(`[Service] ${key}: ${problem}`);
    };
    if (IGNORED_SERVICE_KEYS.includes(key)) continue;
    const hint = REFUSED_WITH_HINT.get(key);
    if (hint !== undefined) {
      report(`not supported for containers (${hint})`);
      continue;
    }
    if (!isReadServiceKey(key)) {
      report('not supported for containers');
      continue;
    }
    const expanded = expand(option.value);
    if (!expanded.ok) {
      report(expanded.error);
      continue;
    }
    const value = expanded.value.trim();
    switch (key) {
      case 'ExecStart':
        execStart = value === '' ? [] : [...execStart, { key, raw: option.value, value }];
        break;
      case 'ExecStartPre':
      case 'ExecStartPost':
      case 'ExecStop':
      case 'ExecStopPost':
        housekeeping =
          value === ''
            ? housekeeping.filter((line) => line.key !== key)
            : [...housekeeping, { key, raw: option.value, value }];
        break;
      case 'Type':
        if (value !== '' && !SERVICE_TYPES.includes(value)) {
          report(`unsupported value "${value}" (expected ${SERVICE_TYPES.join(', ')})`);
        }
        break;
      case 'Restart': {
        const policy =
          value === '' ? SERVICE_DEFAULTS.restart : RESTART_POLICIES.find((p) => p === value);
        if (policy === undefined) {
          report(`unsupported value "${value}" (expected ${RESTART_POLICIES.join(', ')})`);
        } else {
          restart = policy;
        }
        break;
      }
      case 'RestartSec': {
        const span =
          value === '' ? okDefault(SERVICE_DEFAULTS.restartSecMs) : parseFiniteTimeSpanMs(value);
        if (span.ok) restartSecMs = span.value;
        else report(span.error);
        break;
      }
      case 'TimeoutStartSec':
      case 'TimeoutStopSec':
      case 'TimeoutSec': {
        const start = key === 'TimeoutStopSec' ? undefined : startTimeout(value);
        const stop = key === 'TimeoutStartSec' ? undefined : stopTimeout(value);
        const problems = [start, stop].flatMap((r) => (r !== undefined && !r.ok ? [r.error] : []));
        for (const problem of new Set(problems)) report(problem);
        if (start?.ok === true && stop?.ok !== false) startTimeoutMs = start.value;
        if (stop?.ok === true && start?.ok !== false) stopTimeoutSec = stop.value;
        break;
      }
    }
  }
  return {
    settings: { restart, restartSecMs, stopTimeoutSec, startTimeoutMs, execStart, housekeeping },
    errors,
  };
}

const READ_SERVICE_KEYS = [
  'ExecStart',
  ...HOUSEKEEPING_KEYS,
  'Type',
  'Restart',
  'RestartSec',
  'TimeoutStartSec',
  'TimeoutStopSec',
  'TimeoutSec',
] as const;
type ReadServiceKey = (typeof READ_SERVICE_KEYS)[number];

function isReadServiceKey(key: string): key is ReadServiceKey {
  return (READ_SERVICE_KEYS as readonly string[]).includes(key);
}

function okDefault(value: number): Parsed<number> {
  return { ok: true, value };
}

/** TimeoutStartSec=: 0 and infinity both mean no deadline, which is our 0. */
function startTimeout(value: string): Parsed<number> {
  if (value === '') return okDefault(SERVICE_DEFAULTS.startTimeoutMs);
  const span = parseTimeSpanMs(value);
  if (!span.ok) return span;
  return okDefault(span.value === Number.POSITIVE_INFINITY ? 0 : span.value);
}

/**
 * TimeoutStopSec=: Docker's stop timeout in whole seconds (rounded up). systemd reads 0 and
 * infinity as "wait for ever", which a docker stop cannot express, so they are refused.
 */
function stopTimeout(value: string): Parsed<number> {
  if (value === '') return okDefault(SERVICE_DEFAULTS.stopTimeoutSec);
  const span = parseTimeSpanMs(value);
  if (!span.ok) return span;
  if (span.value === 0 || span.value === Number.POSITIVE_INFINITY) {
    return { ok: false, error: `no stop timeout ("${value}") is not supported; give a duration` };
  }
  return okDefault(Math.ceil(span.value / 1000));
}
