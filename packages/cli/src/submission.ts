import { dirname, join } from 'node:path';
import { goQuote, mangleUnitName, parseUnitName, validateUnitName } from '@fleet/core';
import type { TargetState, UnitFile } from '@fleet/core';
import type { UnitEntry } from '@fleet/registry';
import type { FleetApi } from './api.js';
import type { Output } from './cli-io.js';
import { mapBounded } from './concurrency.js';
import { CliError } from './errors.js';
import { checkedUnitSource, parseStoredUnit, readLocalUnitFile, unitFilePath } from './unit-files.js';
import type { UnitSource } from './unit-files.js';

/** The commands that create units on the way (fleet's lazyCreateUnits). */
export type SubmittingCommand = 'submit' | 'load' | 'start';

/** Desired states a unit may be in for `<command> --replace` to replace it (fleet's table). */
const REPLACEABLE_IN: Readonly<Record<SubmittingCommand, readonly TargetState[]>> = {
  submit: ['inactive'],
  load: ['inactive', 'loaded'],
  start: ['inactive', 'loaded', 'launched'],
};

const PREFIX = 'Error creating units';

/** One argument's plan, decided before anything is written. */
type Step =
  | { readonly kind: 'keep'; readonly name: string; readonly entry: UnitEntry }
  | { readonly kind: 'create'; readonly name: string; readonly source: UnitSource }
  | { readonly kind: 'replace'; readonly name: string; readonly source: UnitSource; readonly entry: UnitEntry };

/** The units named on the command line, in order and without repeats, with their registry records. */
export interface SubmittedUnits {
  readonly names: readonly string[];
  readonly entries: ReadonlyMap<string, UnitEntry>;
}

/** fleetctl's argument → unit name, rejecting names fleet's API would refuse. */
export function unitNamesOf(args: readonly string[], errorPrefix: string): string[] {
  const names: string[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    const name = mangleUnitName(arg);
    const problem = validateUnitName(name);
    if (problem !== null) problems.push(`${errorPrefix}: invalid unit name ${goQuote(name)}: ${problem}`);
    else if (!names.includes(name)) names.push(name);
  }
  if (problems.length > 0) throw new CliError(problems.join('\n'));
  return names;
}

/**
 * fleet's lazy creation for submit/load/start: every named unit that is not registered is read
 * from its local file (or, for an instance, from its template, registered first, then on disk)
 * and created with desired state inactive; `--replace` overwrites registered units whose local
 * file differs. Every unit is read and checked before the first write, so a bad one leaves
 * etcd untouched. Creates run concurrently (bounded).
 */
export async function submitUnits(
  api: FleetApi,
  out: Output,
  args: readonly string[],
  options: { readonly command: SubmittingCommand; readonly replace: boolean },
): Promise<SubmittedUnits> {
  const names = unitNamesOf(args, PREFIX);
  // The argument a name came from: its path locates the local file (the first, if two name one unit).
  const argsByName = new Map<string, string>();
  for (const arg of args) {
    const name = mangleUnitName(arg);
    if (!argsByName.has(name)) argsByName.set(name, arg);
  }
  const registered = await api.getUnits(names);
  const templates = new TemplateLookup(api);

  const outcomes = await mapBounded(names, async (name) => {
    try {
      return { step: await planStep(name, argsByName.get(name) ?? name, registered.get(name), templates, out, options) };
    } catch (error) {
      if (error instanceof CliError) return { problem: `${PREFIX}: ${error.message}` };
      throw error;
    }
  });
  const problems = outcomes.flatMap((o) => ('problem' in o && o.problem !== undefined ? [o.problem] : []));
  if (problems.length > 0) throw new CliError(problems.join('\n'));

  const steps = outcomes.flatMap((o) => ('step' in o && o.step !== undefined ? [o.step] : []));
  const written = await mapBounded(steps, (step) => applyStep(api, step));
  const entries = new Map<string, UnitEntry>();
  for (const [i, step] of steps.entries()) {
    const entry = written[i];
    if (entry !== undefined) entries.set(step.name, entry);
    // fleet waited for each created unit to be current-inactive, which a new unit is at once.
    if (step.kind === 'create' || (step.kind === 'replace' && options.command === 'submit')) {
      out.line(`Unit ${step.name} inactive`);
    }
  }
  return { names, entries };
}

async function planStep(
  name: string,
  arg: string,
  existing: UnitEntry | undefined,
  templates: TemplateLookup,
  out: Output,
  options: { readonly command: SubmittingCommand; readonly replace: boolean },
): Promise<Step | undefined> {
  if (existing === undefined) {
    return { kind: 'create', name, source: await sourceForNewUnit(name, arg, templates) };
  }
  if (!options.replace) {
    await warnIfLocalDiffers(name, arg, existing, out);
    return { kind: 'keep', name, entry: existing };
  }
  const local = await localUnitFile(name, arg);
  if (local === undefined) {
    throw new CliError(`unable to find local unit file for Unit(${name}) to replace it`);
  }
  const source = checkedUnitSource(name, local.unit);
  if (source.hash === existing.unit.hash) {
    out.line(`Found same Unit(${name}) in Registry, nothing to do`);
    return { kind: 'keep', name, entry: existing };
  }
  const state = existing.unit.targetState;
  if (!REPLACEABLE_IN[options.command].includes(state)) {
    out.error(`Warning: can not replace Unit(${name}) in state '${state}', use the appropriate command`);
    return { kind: 'keep', name, entry: existing };
  }
  return { kind: 'replace', name, source, entry: existing };
}

/** A new unit's file: the local file, else (for an instance) its template. */
async function sourceForNewUnit(name: string, arg: string, templates: TemplateLookup): Promise<UnitSource> {
  const own = await readLocalUnitFile(unitFilePath(arg));
  if (own !== undefined) return checkedUnitSource(name, own);
  const info = parseUnitName(name);
  if (info === null || !info.isInstance) {
    throw new CliError(`unable to find Unit(${name}) in Registry or on filesystem`);
  }
  const registered = await templates.get(info.template);
  if (registered !== undefined) return checkedUnitSource(name, registered);
  const onDisk = await readLocalUnitFile(join(dirname(unitFilePath(arg)), info.template));
  if (onDisk === undefined) {
    throw new CliError(
      `failed getting Unit(${name}) from template: unable to find template Unit(${info.template}) in Registry or on filesystem`,
    );
  }
  return checkedUnitSource(name, onDisk);
}

/** What `--replace` compares against: the unit's own local file, else its local template. */
async function localUnitFile(name: string, arg: string): Promise<{ unit: UnitFile; path: string } | undefined> {
  const path = unitFilePath(arg);
  const own = await readLocalUnitFile(path);
  if (own !== undefined) return { unit: own, path };
  const info = parseUnitName(name);
  if (info === null || !info.isInstance) return undefined;
  const templatePath = join(dirname(path), info.template);
  const template = await readLocalUnitFile(templatePath);
  return template === undefined ? undefined : { unit: template, path: templatePath };
}

/** fleet warns (and carries on) when a registered unit differs from the local file it was named by. */
async function warnIfLocalDiffers(name: string, arg: string, existing: UnitEntry, out: Output): Promise<void> {
  let local: { unit: UnitFile; path: string } | undefined;
  try {
    local = await localUnitFile(name, arg);
  } catch {
    return; // an unreadable local file does not matter when nothing is replaced
  }
  if (local === undefined) return;
  let hash: string;
  try {
    hash = checkedUnitSource(name, local.unit).hash;
  } catch {
    return;
  }
  if (hash !== existing.unit.hash) {
    const kind = local.path === unitFilePath(arg) ? 'local unit file' : 'local template unit file';
    out.error(`WARNING: Unit ${name} in registry differs from ${kind} ${arg}. Add --replace to override.`);
  }
}

async function applyStep(api: FleetApi, step: Step): Promise<UnitEntry> {
  switch (step.kind) {
    case 'keep':
      return step.entry;
    case 'create': {
      const { source } = step;
      const record = { name: source.name, hash: source.hash, contents: source.contents, targetState: 'inactive' as const };
      try {
        return (await api.createUnit(record, source.global)).entry;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'UNIT_EXISTS') {
          throw new CliError(`${PREFIX}: failed creating unit ${step.name}: it was created meanwhile with other contents`);
        }
        throw error;
      }
    }
    case 'replace': {
      // fleet re-created the unit with desired state inactive, so the engine could unschedule it
      // before load/start set it again; keeping the desired state avoids that window.
      const { source, entry } = step;
      const record = { name: source.name, hash: source.hash, contents: source.contents, targetState: entry.unit.targetState };
      return api.replaceUnit(record, source.global, entry.modRevision);
    }
  }
}

/** Registered templates, each looked up once however many instances name it. */
class TemplateLookup {
  private readonly cache = new Map<string, Promise<UnitFile | undefined>>();

  constructor(private readonly api: FleetApi) {}

  get(template: string): Promise<UnitFile | undefined> {
    let pending = this.cache.get(template);
    if (pending === undefined) {
      pending = this.api.getUnit(template).then((entry) =>
        entry === undefined ? undefined : parseStoredUnit(entry.unit.contents, template),
      );
      this.cache.set(template, pending);
    }
    return pending;
  }
}
