import { currentState } from '@fleet/core';
import type { MachineInfo, MachineRecord, UnitStateRecord, UnschedulableRecord } from '@fleet/core';
import type { FleetApi } from './api.js';
import type { CommandContext } from './command.js';
import { mapBounded } from './concurrency.js';
import { CliError } from './errors.js';
import { formatMachineLegend } from './format/index.js';

/** fleetctl polls this often while it waits… */
export const POLL_INTERVAL_MS = 250;
/**
 * …but looks every 50 ms during the first attempt of a wait on a few units (each look is then a
 * few point reads) if it could not watch their states: a container usually starts within that
 * second or two, and `start` should return when it does, not up to 250 ms later.
 */
export const FAST_POLL_INTERVAL_MS = 50;
/** A wait checks that its units still exist this often. */
const EXISTENCE_CHECK_MS = 1_000;
/** One `--block-attempts` attempt. */
export const ATTEMPT_MS = 2_000;
/** Per-unit state reads up to this many units; above it one read of all states is cheaper. */
const PER_UNIT_READ_LIMIT = 16;
/** Per-machine schedule reads up to this many machines; above it one read of the whole schedule. */
const PER_MACHINE_READ_LIMIT = 8;
/** Machine reasons printed under an unschedulable summary before "… and N more". */
const REASON_LINES = 10;

/** The state a wait ends in: fleet's current states. */
export type Goal = 'inactive' | 'loaded' | 'launched';

export interface WaitTarget {
  readonly name: string;
  readonly goal: Goal;
  /** The unit's hash: states the agent published for older contents do not count. */
  readonly hash?: string;
  /** Stop at a published failure (load/start), rather than keep waiting. */
  readonly failOnError: boolean;
}

/** What the cluster says about some units, read in one go. */
export interface Placement {
  /** Live machines by id. */
  readonly machines: ReadonlyMap<string, MachineRecord>;
  /** Unit → machine it is scheduled on, for units some machine reports a state for. */
  readonly targets: ReadonlyMap<string, string>;
  readonly states: ReadonlyMap<string, readonly UnitStateRecord[]>;
}

/**
 * Cuts a wait's sleep short: a watch pokes it when something the wait looks at changed. A poke
 * while nobody sleeps makes the next sleep return at once, so no change is slept through.
 */
export class Nudge {
  private poked = false;
  private wake: (() => void) | undefined;

  poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    if (wake === undefined) this.poked = true;
    else wake();
  }

  /** True (and reset) if poked since the last sleep. */
  take(): boolean {
    const poked = this.poked;
    this.poked = false;
    return poked;
  }

  /** `wake` runs on the next poke, unless `unlisten` comes first. */
  listen(wake: () => void): void {
    this.wake = wake;
  }

  unlisten(): void {
    this.wake = undefined;
  }
}

/**
 * Polls until `done` says so, every 250 ms (every 50 ms during the first `fastForMs`), and at
 * once when `nudge` is poked; `attempts` > 0 gives up after attempts × 2 s (false), 0 waits for
 * ever. An interrupt ends the wait with exit code 130.
 */
export async function pollUntil(
  ctx: CommandContext,
  attempts: number,
  done: () => Promise<boolean>,
  fastForMs = 0,
  nudge?: Nudge,
): Promise<boolean> {
  const started = ctx.now();
  const deadline = attempts > 0 ? started + attempts * ATTEMPT_MS : Number.POSITIVE_INFINITY;
  for (;;) {
    if (await done()) return true;
    if (ctx.now() >= deadline) return false;
    await sleep(ctx.now() - started < fastForMs ? FAST_POLL_INTERVAL_MS : POLL_INTERVAL_MS, ctx.signal, nudge);
  }
}

/**
 * Waits for each unit to reach its goal, printing fleet's `Unit NAME <state> on <machine>` line for
 * each as it gets there. While a unit is not placed, the engine's reason is shown on stderr when it
 * appears and whenever it changes. A unit whose machine reports a failure (load/start) is reported
 * and dropped. Returns the number of units that failed or timed out (each reported on stderr).
 */
export async function waitForUnits(
  ctx: CommandContext,
  api: FleetApi,
  targets: readonly WaitTarget[],
  attempts: number,
): Promise<number> {
  let pending = [...targets];
  let failures = 0;
  const shownReasons = new Map<string, string>();
  let existenceCheckedAt = ctx.now();
  const few = targets.length <= PER_UNIT_READ_LIMIT;
  // A few units' states are watched: the wait looks again as soon as one is written (the
  // container runs), not at the next poll. Opened before the first look, so nothing falls between.
  const nudge = new Nudge();
  const watches = few ? await api.watchStates(targets.map((t) => t.name), () => nudge.poke()).catch(() => undefined) : undefined;
  const fastForMs = few && watches === undefined ? ATTEMPT_MS : 0;
  const inTime = await pollUntil(ctx, attempts, async () => {
    // Every second, check the units still exist: one destroyed meanwhile will never get there.
    if (ctx.now() - existenceCheckedAt >= EXISTENCE_CHECK_MS) {
      existenceCheckedAt = ctx.now();
      const names = pending.map((t) => t.name);
      const existing =
        names.length <= PER_UNIT_READ_LIMIT
          ? new Set([...(await api.getUnits(names))].flatMap(([name, entry]) => (entry === undefined ? [] : [name])))
          : new Set((await api.listUnits()).map((e) => e.unit.name));
      const gone = (t: WaitTarget): boolean => !existing.has(t.name);
      for (const target of pending.filter(gone)) {
        if (target.goal === 'inactive') ctx.out.line(`Unit ${target.name} inactive`);
        else {
          ctx.out.error(`Error waiting for units: unit ${target.name} was destroyed`);
          failures += 1;
        }
      }
      pending = pending.filter((t) => !gone(t));
      if (pending.length === 0) return true;
    }
    const placement = await readPlacement(api, pending.map((t) => t.name));
    const still: WaitTarget[] = [];
    const unplaced: WaitTarget[] = [];
    for (const target of pending) {
      const verdict = judge(target, placement);
      if (verdict.kind === 'done') ctx.out.line(verdict.line);
      else if (verdict.kind === 'failed') {
        ctx.out.error(verdict.line);
        failures += 1;
      } else {
        still.push(target);
        if (verdict.unplaced) unplaced.push(target);
      }
    }
    pending = still;
    await showReasons(ctx, api, unplaced, placement.machines, shownReasons);
    return pending.length === 0;
  }, fastForMs, nudge).finally(() => Promise.allSettled((watches ?? []).map((w) => w.close())));
  if (!inTime) {
    for (const target of pending) {
      ctx.out.error(`Error waiting for units: timed out waiting for unit ${target.name} to report state ${target.goal}`);
    }
    failures += pending.length;
  }
  return failures;
}

type Verdict =
  | { readonly kind: 'done'; readonly line: string }
  | { readonly kind: 'failed'; readonly line: string }
  | { readonly kind: 'waiting'; readonly unplaced: boolean };

/** Where one unit stands against its goal. */
export function judge(target: WaitTarget, placement: Placement): Verdict {
  const { name } = target;
  const machineId = placement.targets.get(name);
  const states = placement.states.get(name) ?? [];
  const own = machineId === undefined ? undefined : states.find((s) => s.machineId === machineId);
  const current = currentState(machineId, states);
  const fresh = own !== undefined && (target.hash === undefined || own.hash === target.hash);
  const legend = machineId === undefined ? '' : formatMachineLegend(machineId, placement.machines, false);
  const on = legend === '-' || legend === '' ? '' : ` on ${legend}`;

  if (target.failOnError && fresh && own.activeState === 'failed' && own.error !== undefined) {
    return { kind: 'failed', line: `Unit ${name} failed on ${legend}: ${own.error}` };
  }
  switch (target.goal) {
    case 'inactive':
      return current === 'inactive' ? { kind: 'done', line: `Unit ${name} inactive` } : waiting(false);
    case 'loaded':
      return current === 'loaded' && fresh ? { kind: 'done', line: `Unit ${name} loaded${on}` } : waiting(current === 'inactive');
    case 'launched': {
      if (target.failOnError && fresh && own.activeState === 'failed') {
        const why = own.exitCode === undefined ? 'container failed' : `container exited with code ${own.exitCode}`;
        return { kind: 'failed', line: `Unit ${name} failed on ${legend}: ${why}` };
      }
      const running = fresh && own.activeState === 'active' && own.subState === 'running';
      return current === 'launched' && running
        ? { kind: 'done', line: `Unit ${name} launched${on}` }
        : waiting(current === 'inactive');
    }
  }
}

function waiting(unplaced: boolean): Verdict {
  return { kind: 'waiting', unplaced };
}

/**
 * Reads the states of `names`, the schedule of the machines reporting them (a unit's current state
 * depends only on the machine it is scheduled on, and only if that machine reports it), and the
 * live machines.
 */
export async function readPlacement(api: FleetApi, names: readonly string[]): Promise<Placement> {
  const wanted = new Set(names);
  const [stateEntries, machineEntries] = await Promise.all([
    names.length <= PER_UNIT_READ_LIMIT
      ? mapBounded(names, (name) => api.listStates(name)).then((lists) => lists.flat())
      : api.listStates(),
    api.listMachines(),
  ]);
  const states = new Map<string, UnitStateRecord[]>();
  const reporting = new Set<string>();
  for (const { state } of stateEntries) {
    if (!wanted.has(state.name)) continue;
    const list = states.get(state.name);
    if (list === undefined) states.set(state.name, [state]);
    else list.push(state);
    reporting.add(state.machineId);
  }
  const machineIds = [...reporting];
  const schedule =
    machineIds.length <= PER_MACHINE_READ_LIMIT
      ? (await mapBounded(machineIds, (id) => api.listSchedule(id))).flat()
      : await api.listSchedule();
  const targets = new Map<string, string>();
  for (const entry of schedule) if (wanted.has(entry.unit.name)) targets.set(entry.unit.name, entry.machineId);
  return { machines: new Map(machineEntries.map((e) => [e.machine.id, e.machine])), targets, states };
}

/** Prints the engine's reason for each unplaced unit when it is new or has changed. */
async function showReasons(
  ctx: CommandContext,
  api: FleetApi,
  unplaced: readonly WaitTarget[],
  machines: ReadonlyMap<string, MachineInfo>,
  shown: Map<string, string>,
): Promise<void> {
  if (unplaced.length === 0) return;
  const records = await mapBounded(unplaced, (t) => api.getUnschedulable(t.name));
  for (const [i, target] of unplaced.entries()) {
    const record = records[i]?.record;
    if (record === undefined) continue;
    const text = explainUnschedulable(record, machines);
    if (shown.get(target.name) === text) continue;
    shown.set(target.name, text);
    ctx.out.writeError(text);
  }
}

/** The engine's summary, then each machine it checked with its reason. */
export function explainUnschedulable(record: UnschedulableRecord, machines: ReadonlyMap<string, MachineInfo>): string {
  const lines = [record.summary];
  for (const { machineId, reason } of record.machines.slice(0, REASON_LINES)) {
    lines.push(`  ${formatMachineLegend(machineId, machines, false)}: ${reason}`);
  }
  const more = record.machines.length - REASON_LINES;
  if (more > 0) lines.push(`  … and ${more} more ${more === 1 ? 'machine' : 'machines'}`);
  return `${lines.join('\n')}\n`;
}

/** Waits `ms`, or until `nudge` is poked; an abort (interrupt) ends the command. */
export function sleep(ms: number, signal: AbortSignal, nudge?: Nudge): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(interrupted());
    if (nudge?.take() === true) return resolve();
    const settle = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      nudge?.unlisten();
    };
    const onAbort = (): void => {
      settle();
      reject(interrupted());
    };
    const timer = setTimeout(() => {
      settle();
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
    nudge?.listen(() => {
      settle();
      resolve();
    });
  });
}

function interrupted(): CliError {
  return new CliError('Interrupted', 130);
}
