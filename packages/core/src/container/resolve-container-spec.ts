import type { UnitFile, UnitOption } from '../unit/unit-file.js';
import {
  ContainerSpecSchema,
  type ContainerRunSettings,
  type ContainerSpec,
  type SpecifierContext,
} from './container-spec.js';
import { readContainerSection } from './container-section.js';
import { interpretHousekeeping } from './docker-housekeeping.js';
import { dockerCommand, translateDockerRun } from './docker-run.js';
import { readServiceSection, type ExecLine, type ServiceSettings } from './service-section.js';
import { splitShellWords } from './shell-words.js';
import { expandSystemdSpecifiers } from './systemd-specifiers.js';

export type ContainerSpecResolution =
  | { readonly ok: true; readonly spec: ContainerSpec }
  | { readonly ok: false; readonly errors: string[] };

export const NOTHING_TO_RUN =
  'unit has nothing to run: add a [Container] section with Image=, ' +
  'or ExecStart=/usr/bin/docker run IMAGE';
export const BOTH_CONTAINER_FORMS =
  'unit has both a [Container] section and ExecStart=: use one of the two forms';

/** Sections read elsewhere ([Unit], [X-Fleet]) or meaningless here ([Install], other X-…). */
const OTHER_SECTIONS = ['Unit', 'Install'];

const EXEC_START = '[Service] ExecStart';

/** Why an ExecStartPre/ExecStartPost/ExecStop/ExecStopPost line is refused. */
const HOUSEKEEPING_PROBLEM =
  'not supported: fleet runs containers, not host commands (only docker kill, rm or stop ' +
  "of this unit's container and docker pull of its image are understood)";

/**
 * Resolves what a unit runs on a machine: its `[Container]` section or its classic
 * `ExecStart=/usr/bin/docker run …` line, plus the [Service] keys that apply, with specifiers
 * expanded for `ctx`. Every problem found is reported, each naming its key, flag or line.
 */
export function resolveContainerSpec(
  unit: UnitFile,
  ctx: SpecifierContext,
): ContainerSpecResolution {
  const errors: string[] = [];
  const expand = (value: string) => expandSystemdSpecifiers(value, ctx);
  const sections = groupBySection(unit.options);

  for (const section of sections.keys()) {
    const known = ['Service', 'Container', ...OTHER_SECTIONS].includes(section);
    if (known || section.startsWith('X-')) continue;
    errors.push(
      `section [${section}] is not supported (a fleet unit runs a container: ` +
        'use [Unit], [Service], [Container], [X-Fleet] or [Install])',
    );
  }

  const service = readServiceSection(sections.get('Service') ?? [], expand);
  errors.push(...service.errors);

  const containerOptions = sections.get('Container') ?? [];
  const execStart = service.settings.execStart;
  let run: ContainerRunSettings | undefined;
  if (containerOptions.length > 0) {
    if (execStart.length > 0) errors.push(BOTH_CONTAINER_FORMS);
    const reading = readContainerSection(containerOptions, expand);
    errors.push(...reading.errors);
    if (execStart.length === 0) run = reading.settings;
  } else if (execStart.length > 0) {
    const reading = readExecStart(execStart);
    errors.push(...reading.errors);
    run = reading.settings;
  } else if (!errors.some((e) => e.startsWith(`${EXEC_START}:`))) {
    // (An ExecStart= whose specifiers failed has been reported already.)
    errors.push(NOTHING_TO_RUN);
  }
  if (run === undefined) return { ok: false, errors };

  const spec = withServiceSettings(run, service.settings, errors);
  if (errors.length > 0) return { ok: false, errors };
  const checked = ContainerSpecSchema.safeParse(spec);
  if (!checked.success) {
    const problems = checked.error.issues.map(
      (issue) => `container spec: ${issue.path.join('.')}: ${issue.message}`,
    );
    return { ok: false, errors: problems };
  }
  return { ok: true, spec: checked.data };
}

/** A machine for checking a unit before it is placed anywhere (`fleetctl submit`). */
export const PLACEHOLDER_MACHINE = {
  machineId: '00000000000000000000000000000000',
  hostname: 'fleet-placeholder',
} as const;

/**
 * Submit-time check of a unit's container: the problems resolveContainerSpec would report, with
 * %m and %H expanded for a placeholder machine. A template (`x@.service`) is checked with an
 * empty %i, which is how systemd expands it there.
 */
export function validateContainerUnit(unit: UnitFile, unitName: string): string[] {
  const resolution = resolveContainerSpec(unit, { unitName, ...PLACEHOLDER_MACHINE });
  return resolution.ok ? [] : resolution.errors;
}

function groupBySection(options: readonly UnitOption[]): Map<string, UnitOption[]> {
  const sections = new Map<string, UnitOption[]>();
  for (const option of options) {
    const list = sections.get(option.section);
    if (list === undefined) sections.set(option.section, [option]);
    else list.push(option);
  }
  return sections;
}

function readExecStart(lines: readonly ExecLine[]): {
  settings: ContainerRunSettings | undefined;
  errors: string[];
} {
  const refuse = (problem: string) => ({ settings: undefined, errors: [problem] });
  if (lines.length > 1) {
    return refuse(`${EXEC_START}: given ${lines.length} times, but a unit runs one container`);
  }
  const line = lines[0]!;
  if (/^[-@:+!]/.test(line.value)) {
    return refuse(
      `${EXEC_START}=${line.raw}: command prefixes ("-", "@", ":", "+", "!") ` +
        'are not supported on ExecStart',
    );
  }
  const words = splitShellWords(line.value);
  if (!words.ok) return refuse(`${EXEC_START}: ${words.error}`);
  const command = dockerCommand(words.value);
  if (command === undefined || command.verb !== 'run') {
    return refuse(
      `${EXEC_START}=${line.raw}: not a docker run command ` +
        '(fleet runs containers, not host commands)',
    );
  }
  return translateDockerRun(command.args, EXEC_START);
}

/** Adds the [Service] settings and what the housekeeping lines mean; problems go to `errors`. */
function withServiceSettings(
  run: ContainerRunSettings,
  service: ServiceSettings,
  errors: string[],
): ContainerSpec {
  let pull = run.pull;
  let stopTimeoutSec = service.stopTimeoutSec;
  for (const line of service.housekeeping) {
    const meaning = interpretHousekeeping(line.value, { name: run.name, image: run.image });
    if (meaning === undefined) {
      errors.push(`[Service] ${line.key}=${line.raw}: ${HOUSEKEEPING_PROBLEM}`);
    } else if (meaning.kind === 'pull') {
      pull = 'always';
    } else if (meaning.kind === 'stop-timeout') {
      stopTimeoutSec = meaning.seconds;
    }
  }
  return {
    ...run,
    pull,
    restart: service.restart,
    restartSecMs: service.restartSecMs,
    stopTimeoutSec,
    startTimeoutMs: service.startTimeoutMs,
  };
}
