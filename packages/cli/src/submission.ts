import { dirname, join } from 'node:path';
import { goQuote, mangleUnitName, parseUnitName, validateUnitName } from '@fleet/core';
import type { TargetState, UnitFile, UnitRecord } from '@fleet/core';
import type { CreateUnitOutcome, UnitEntry } from '@fleet/registry';
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

export interface SubmitOptions {
  readonly command: SubmittingCommand;
  readonly replace: boolean;
}

/** The units named on the command line, in order and without repeats, with their registry records. */
export interface SubmittedUnits {
  readonly names: readonly string[];
  readonly entries: ReadonlyMap<string, UnitEntry>;
}

/** One argument's plan, decided before anything is written. */
type Step =
  | { readonly kind: 'keep'; readonly name: string; readonly entry: UnitEntry }
  | { readonly kind: 'create'; readonly name: string; readonly source: UnitSource }
  | { readonly kind: 'replace'; readonly name: string; readonly source: UnitSource; readonly entry: UnitEntry };

/** What the argument's own local file gave. */
type LocalReading =
  | { readonly kind: 'ok'; readonly source: UnitSource }
  | { readonly kind: 'missing' }
  | { readonly kind: 'bad'; readonly problem: string };

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
 * from its local file (or, for an instance without one, from its template: registered first, then
 * beside it on disk) and created with desired state inactive; `--replace` overwrites registered
 * units whose local file differs. Every unit is read and checked before the first write, so one
 * bad unit leaves etcd untouched. Units with a good local file are created straight away (the
 * create itself tells whether one exists), in batches: a big submit costs one etcd txn per ~hundred
 * units.
 */
export async function submitUnits(
  api: FleetApi,
  out: Output,
  args: readonly string[],
  options: SubmitOptions,
): Promise<SubmittedUnits> {
  const names = unitNamesOf(args, PREFIX);
  // The argument a name came from locates its local file (the first, if two name one unit).
  const argOf = new Map<string, string>();
  for (const arg of args) {
    const name = mangleUnitName(arg);
    if (!argOf.has(name)) argOf.set(name, arg);
  }
  const pathOf = (name: string): string => unitFilePath(argOf.get(name) ?? name);

  const local = new Map(
    await mapBounded(names, async (name): Promise<[string, LocalReading]> => [name, await readOwnFile(name, pathOf(name))]),
  );
  const lookups = options.replace ? names : names.filter((name) => local.get(name)?.kind !== 'ok');
  const registered = await api.getUnits(lookups);
  const templates = new TemplateLookup(api);

  const planned = await mapBounded(names, async (name) => {
    try {
      const reading = local.get(name) ?? { kind: 'missing' };
      const step = options.replace
        ? await planReplace(name, pathOf(name), reading, registered.get(name), out, options.command)
        : await planCreate(name, pathOf(name), reading, registered.get(name), templates);
      return { step };
    } catch (error) {
      if (error instanceof CliError) return { problem: `${PREFIX}: ${error.message}` };
      throw error;
    }
  });
  const problems = planned.flatMap((p) => (p.problem === undefined ? [] : [p.problem]));
  if (problems.length > 0) throw new CliError(problems.join('\n'));

  const steps = planned.flatMap((p) => (p.step === undefined ? [] : [p.step]));
  const written = await writeSteps(api, steps, pathOf);
  const entries = new Map<string, UnitEntry>();
  const differing: string[] = [];
  for (const [i, step] of steps.entries()) {
    const result = written[i]!;
    entries.set(step.name, result.entry);
    if (result.warning !== undefined) differing.push(result.warning);
    // fleet waited for each created unit to be current-inactive, which a new unit is at once.
    if (result.created || (step.kind === 'replace' && options.command === 'submit')) out.line(`Unit ${step.name} inactive`);
  }
  // fleet only warned and exited 0; but the local contents did not land (another submit won, or
  // an older version is registered), so acting on the registered unit would be acting on
  // something else: fleet's line, and a failure.
  if (differing.length > 0) throw new CliError(differing.join('\n'));
  return { names, entries };
}

async function readOwnFile(name: string, path: string): Promise<LocalReading> {
  try {
    const unit = await readLocalUnitFile(path);
    return unit === undefined ? { kind: 'missing' } : { kind: 'ok', source: checkedUnitSource(name, unit) };
  } catch (error) {
    if (error instanceof CliError) return { kind: 'bad', problem: error.message };
    throw error;
  }
}

/** Without --replace: a registered unit is kept as it is, whatever its local file says. */
async function planCreate(
  name: string,
  path: string,
  reading: LocalReading,
  existing: UnitEntry | undefined,
  templates: TemplateLookup,
): Promise<Step> {
  if (existing !== undefined) return { kind: 'keep', name, entry: existing };
  if (reading.kind === 'ok') return { kind: 'create', name, source: reading.source };
  if (reading.kind === 'bad') throw new CliError(reading.problem);
  const info = parseUnitName(name);
  if (info === null || !info.isInstance) throw new CliError(`unable to find Unit(${name}) in Registry or on filesystem`);
  const registeredTemplate = await templates.get(info.template);
  if (registeredTemplate !== undefined) return { kind: 'create', name, source: checkedUnitSource(name, registeredTemplate) };
  const onDisk = await readLocalUnitFile(join(dirname(path), info.template));
  if (onDisk === undefined) {
    throw new CliError(
      `failed getting Unit(${name}) from template: unable to find template Unit(${info.template}) in Registry or on filesystem`,
    );
  }
  return { kind: 'create', name, source: checkedUnitSource(name, onDisk) };
}

/** With --replace: the local file (or local template) wins where fleet's state rules allow. */
async function planReplace(
  name: string,
  path: string,
  reading: LocalReading,
  existing: UnitEntry | undefined,
  out: Output,
  command: SubmittingCommand,
): Promise<Step> {
  if (reading.kind === 'bad') throw new CliError(reading.problem);
  let source = reading.kind === 'ok' ? reading.source : undefined;
  if (source === undefined) {
    const info = parseUnitName(name);
    const template = info?.isInstance === true ? await readLocalUnitFile(join(dirname(path), info.template)) : undefined;
    if (template === undefined) throw new CliError(`unable to find local unit file ${path} to submit or replace Unit(${name})`);
    source = checkedUnitSource(name, template);
  }
  if (existing === undefined) return { kind: 'create', name, source };
  if (source.hash === existing.unit.hash) {
    out.line(`Found same Unit(${name}) in Registry, nothing to do`);
    return { kind: 'keep', name, entry: existing };
  }
  const state = existing.unit.targetState;
  if (!REPLACEABLE_IN[command].includes(state)) {
    out.error(`Warning: can not replace Unit(${name}) in state '${state}', use the appropriate command`);
    return { kind: 'keep', name, entry: existing };
  }
  return { kind: 'replace', name, source, entry: existing };
}

interface Written {
  readonly entry: UnitEntry;
  readonly created: boolean;
  readonly warning?: string;
}

/** Carries out the steps: every create in one batched call (a txn per ~hundred units), the rest one by one. */
async function writeSteps(api: FleetApi, steps: readonly Step[], pathOf: (name: string) => string): Promise<Written[]> {
  const creates = steps.flatMap((step) => (step.kind === 'create' ? [step] : []));
  const outcomes = creates.length === 0 ? [] : await api.createUnits(creates.map(({ source }) => ({ unit: newRecord(source), global: source.global })));
  const outcomeOf = new Map<Step, CreateUnitOutcome>(creates.map((step, i) => [step, outcomes[i]!]));
  return mapBounded(steps, (step) => applyStep(api, step, pathOf(step.name), outcomeOf.get(step)));
}

function newRecord(source: UnitSource): UnitRecord {
  return { name: source.name, hash: source.hash, contents: source.contents, targetState: 'inactive' };
}

async function applyStep(api: FleetApi, step: Step, path: string, created: CreateUnitOutcome | undefined): Promise<Written> {
  switch (step.kind) {
    case 'keep':
      return { entry: step.entry, created: false };
    case 'create': {
      if (created === undefined) throw new Error(`no create outcome for ${step.name}`);
      if (created.ok) return { entry: created.entry, created: created.created };
      // Registered already, with other contents: fleet keeps it and warns.
      const entry = await api.getUnit(step.name);
      if (entry === undefined) throw new CliError(`${PREFIX}: Unit(${step.name}) changed while being created; try again`);
      const warning = `WARNING: Unit ${step.name} in registry differs from local unit file ${path}. Add --replace to override.`;
      return { entry, created: false, warning };
    }
    case 'replace': {
      // fleet re-created the unit with desired state inactive, so the engine could unschedule it
      // before load/start set it again; keeping the desired state closes that window.
      const { source, entry } = step;
      const record = { name: source.name, hash: source.hash, contents: source.contents, targetState: entry.unit.targetState };
      return { entry: await api.replaceUnit(record, source.global, entry.modRevision), created: false };
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
      pending = this.api
        .getUnit(template)
        .then((entry) => (entry === undefined ? undefined : parseStoredUnit(entry.unit.contents, template)));
      this.cache.set(template, pending);
    }
    return pending;
  }
}
