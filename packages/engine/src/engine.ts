import {
  describeError,
  parseUnitFile,
  runReconcileLoop,
  unitRequirements,
  type Clock,
  type Logger,
  type MachineInfo,
  type ReconcileLoop,
  type ScheduledUnit,
  type UnitRequirements,
  type UnschedulableRecord,
} from '@fleet/core';
import type { ClusterSnapshot, FencingGuard, Registry, RegistryWatch } from '@fleet/registry';
import { buildClusterState, type ClusterUnit } from './cluster-state.js';
import { initialMassLossState, observeMachines, type MassLossSettings, type MassLossState } from './mass-loss.js';
import { computePlan, type Plan } from './plan.js';
import { REASONS } from './reasons.js';
import { markStages } from './apply-stages.js';
import { syncChanges, type StoredUnitView } from './schedule-changes.js';

/**
 * The engine: while this fleetd leads, one pass = snapshot → pure plan → guarded apply
 * (fleet.md §5, style.md §4.3). Passes run on watch events (units, machines, schedule), with a
 * periodic resync; a pass that finds the state moved under it (a failed compare) runs again.
 */
export interface LeadershipView {
  isLeader(): boolean;
  onChange(listener: (isLeader: boolean) => void): () => void;
  guard(): FencingGuard;
}

export interface EngineOptions {
  readonly registry: Registry;
  readonly leadership: LeadershipView;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Period of passes (fleet's engine_reconcile_interval); passes also run on every watched change. */
  readonly reconcileIntervalMs: number;
  /**
   * While the watches report no change, how often a pass checks etcd's revision and, if anything
   * was written, reads everything again anyway (default 30 s).
   */
  readonly fullResyncMs?: number;
  /** The reschedule-storm brake; without it every lost machine's units move at once. */
  readonly massLoss?: MassLossSettings;
}

export interface Engine {
  stop(): Promise<void>;
  /** Passes completed while leader (for tests and metrics). */
  passes(): number;
}

const DEFAULT_FULL_RESYNC_MS = 30_000;

/** Lets timers and I/O callbacks run before the next synchronous step. */
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Parsing unit files is the costly part of a pass; a unit's requirements depend only on its name
 * and hash. Keyed by name (one entry per unit, replaced when its hash changes).
 */
class RequirementsCache {
  private readonly cache = new Map<string, { readonly hash: string; readonly requirements: UnitRequirements | null }>();
  constructor(private readonly logger: Logger) {}

  get(name: string, hash: string, contents: string): UnitRequirements | null {
    const cached = this.cache.get(name);
    if (cached !== undefined && cached.hash === hash) return cached.requirements;
    let requirements: UnitRequirements | null;
    try {
      requirements = unitRequirements(parseUnitFile(contents), name).requirements;
    } catch (error) {
      this.logger.warn('skipping unit whose stored contents do not parse', { unit: name, err: describeError(error) });
      requirements = null;
    }
    this.cache.set(name, { hash, requirements });
    return requirements;
  }

  /** Drops entries of units that no longer exist (names outside `live`). */
  retain(live: ReadonlySet<string>): void {
    if (this.cache.size <= live.size) return;
    for (const name of this.cache.keys()) if (!live.has(name)) this.cache.delete(name);
  }
}

export function startEngine(options: EngineOptions): Engine {
  const { registry, leadership, clock } = options;
  const logger = options.logger.child({ component: 'engine' });
  const requirements = new RequirementsCache(logger);
  let term: { abort: AbortController; loop: ReconcileLoop; watches: RegistryWatch[] } | undefined;
  let unschedulable: Map<string, UnschedulableRecord> | undefined;
  let losses: MassLossState = initialMassLossState;
  /**
   * Set when a pass found nothing to change and held no units back: a pass over the same state
   * would find the same nothing (the plan is a pure function of the snapshot). Until a watch
   * reports a change, periodic passes then skip the full read (at 100,000 units it costs seconds
   * of CPU and tens of MB from etcd); every `fullResyncMs` they still compare etcd's revision
   * with the snapshot's and read everything if anything at all was written — a net under the
   * watches.
   */
  let settled: { revision: string; checkedAt: number } | undefined;
  /** A watch reported a change (or a gap) since the last full read began. */
  let dirty = true;
  /**
   * Our own writes come back through the schedule watch — 100,000 of them after a big apply.
   * They are no news: events at the revisions of our last apply's txns are not changes, and the
   * events that arrive while an apply runs are held until we know its revisions.
   */
  let ownRevisions: ReadonlySet<string> = new Set();
  let duringApply: string[] | undefined;
  /** All three watches are live: without them every pass reads in full. */
  let watching = false;
  /** Resolves once this term's watches are live (or failed). */
  let watchesLive: Promise<void> = Promise.resolve();
  /** A full read has begun in this leadership term. */
  let readInTerm = false;
  const fullResyncMs = options.fullResyncMs ?? DEFAULT_FULL_RESYNC_MS;
  let passCount = 0;
  let stopped = false;

  /** True when this pass can be skipped: settled, no change reported, and (if due) the revision unchanged. */
  async function stillSettled(): Promise<boolean> {
    if (settled === undefined || dirty || !watching) return false;
    if (clock.now() - settled.checkedAt < fullResyncMs) return true;
    const checkedAt = clock.now();
    if ((await registry.currentRevision()) !== settled.revision) return false;
    settled.checkedAt = checkedAt;
    return true;
  }

  async function pass(): Promise<void> {
    if (!leadership.isLeader()) return;
    // A term's first read waits for its watches (a reconcile interval at most): no change can
    // fall between the two. Until they are live, every pass reads in full anyway.
    const waited = new AbortController();
    await Promise.race([watchesLive, clock.sleep(options.reconcileIntervalMs, waited.signal)]);
    waited.abort();
    const guard = leadership.guard();
    if (await stillSettled()) {
      passCount++;
      return;
    }
    settled = undefined;
    dirty = false;
    readInTerm = true;
    if (unschedulable === undefined) {
      unschedulable = new Map((await registry.listUnschedulable()).map((e) => [e.record.name, e.record]));
    }
    const snap = await registry.snapshot();
    let held: ReadonlySet<string> = new Set();
    if (options.massLoss !== undefined) {
      const observed = observeMachines(losses, new Set(snap.machines.map((m) => m.machine.id)), clock.now(), options.massLoss);
      losses = observed.state;
      held = observed.held;
      for (const event of observed.events) logger.warn(event);
      if (observed.wakeAt !== undefined) term?.loop.wakeAt(observed.wakeAt);
    }
    // At 100,000 units each step takes a good fraction of a second: yield between them so that
    // the leadership and lease timers of this process never wait for a whole pass.
    const { clusterSnapshot, units, schedule, placement, followers } = viewOf(snap, requirements, held);
    await breathe();
    const state = buildClusterState(clusterSnapshot);
    await breathe();
    const plan = await confirmGoneUnits(computePlan(state), snap.revision);
    await breathe();
    const changes = markStages(syncChanges({ units, schedule, placement, unschedulable, plan }), followers);
    passCount++;
    if (changes.length === 0) {
      // Held units wait on the clock (mass-loss grace), not on a write: keep passing in full.
      if (held.size === 0) settled = { revision: snap.revision, checkedAt: clock.now() };
      return;
    }
    duringApply = [];
    let result;
    try {
      result = await registry.applyScheduleChanges(
        changes.map((c) => c.change),
        guard,
        snap.revision,
      );
    } finally {
      const seen = duringApply;
      duringApply = undefined;
      ownRevisions = new Set(result?.committed ?? []);
      if (seen.some((revision) => !ownRevisions.has(revision))) {
        dirty = true;
        term?.loop.trigger();
      }
    }
    for (const [index, { change, reason }] of changes.entries()) {
      if (!result.landed[index]) continue;
      if (change.kind === 'schedule') logger.info('scheduled unit', { unit: change.unit.name, machine: change.machineId, reason });
      else if (change.kind === 'unschedule') logger.info('unscheduled unit', { unit: change.name, machine: change.machineId, reason });
      else if (change.kind === 'mark-unschedulable') {
        unschedulable.set(change.record.name, change.record);
        logger.info('unit cannot be placed', { unit: change.record.name, reason });
      } else unschedulable.delete(change.name);
    }
    if (result.outcome === 'applied' && result.landed.every(Boolean) && held.size === 0 && !dirty) {
      // Everything landed and nobody else wrote meanwhile: the store is the snapshot plus these
      // changes, and planning that again finds nothing (the plan converges: plan.property.test).
      // So the next pass need not read everything again to learn it — at 100,000 units that read
      // took 6 s and was the engine's memory peak; a watch event or the revision check will do.
      settled = { revision: result.revision, checkedAt: clock.now() };
    } else if (result.outcome === 'conflict') {
      logger.debug('state moved during the pass; planning again', { applied: result.applied });
      unschedulable = undefined;
      term?.loop.trigger();
    } else if (result.outcome === 'not-leader') {
      logger.warn('lost leadership while applying a plan; stopping writes');
    }
  }

  /**
   * Taking a unit off its machine because it "no longer exists" is decided from an absence in the
   * snapshot; an absence is the one thing a revision compare on the schedule key cannot vouch for,
   * so each such unit is confirmed gone with a direct read before it is acted on.
   */
  async function confirmGoneUnits(plan: Plan, revision: string): Promise<Plan> {
    const gone = plan.actions.filter((a) => a.kind === 'unschedule' && a.reason === REASONS.unitGone);
    if (gone.length === 0) return plan;
    const stillThere = new Set<string>();
    for (const action of gone) {
      if ((await registry.getUnit(action.unit)) !== undefined) stillThere.add(action.unit);
    }
    if (stillThere.size === 0) return plan;
    logger.error('snapshot missed units that exist; not unscheduling them, planning again', {
      units: [...stillThere],
      revision,
    });
    dirty = true; // the next pass must read afresh, not count this one as settled
    term?.loop.trigger();
    return { ...plan, actions: plan.actions.filter((a) => !stillThere.has(a.unit)) };
  }

  async function lead(): Promise<void> {
    if (term !== undefined || stopped) return;
    logger.info('became engine leader');
    const abort = new AbortController();
    unschedulable = undefined;
    settled = undefined;
    dirty = true;
    watching = false;
    ownRevisions = new Set();
    readInTerm = false;
    losses = initialMassLossState;
    let watchesSettled!: () => void;
    watchesLive = new Promise((resolve) => (watchesSettled = resolve));
    const loop = runReconcileLoop({
      name: 'engine',
      intervalMs: options.reconcileIntervalMs,
      reconcile: pass,
      clock,
      logger,
      signal: abort.signal,
    });
    const current = { abort, loop, watches: [] as RegistryWatch[] };
    term = current;
    const changed = (): void => {
      if (term !== current) return;
      dirty = true;
      loop.trigger();
    };
    const handler = {
      onChange: (revision: string): void => {
        if (duringApply !== undefined) duringApply.push(revision);
        else if (!ownRevisions.has(revision)) changed();
      },
      onResync: changed,
    };
    let live = 0;
    for (const kind of ['units', 'machines', 'schedule'] as const) {
      try {
        const watch = await registry.watchChanges({ kind }, undefined, handler);
        if (term === current) {
          current.watches.push(watch);
          live++;
        } else await watch.close();
      } catch (error) {
        // The periodic resync still converges; the watch is retried on the next leadership term.
        logger.warn('could not watch the registry; relying on the periodic resync', { kind, err: describeError(error) });
      }
    }
    if (term === current) {
      watching = live === 3;
      // A read that began before the watches were live may have missed a change.
      if (readInTerm) dirty = true;
    }
    watchesSettled();
  }

  async function follow(): Promise<void> {
    const current = term;
    if (current === undefined) return;
    term = undefined;
    watching = false;
    logger.info('no longer engine leader');
    current.abort.abort();
    await Promise.allSettled([current.loop.done, ...current.watches.map((w) => w.close())]);
  }

  const unsubscribe = leadership.onChange((isLeader) => {
    void (isLeader ? lead() : follow());
  });
  if (leadership.isLeader()) void lead();

  return {
    async stop() {
      stopped = true;
      unsubscribe();
      await follow();
    },
    passes: () => passCount,
  };
}

interface SnapshotView {
  readonly clusterSnapshot: Parameters<typeof buildClusterState>[0];
  readonly units: Map<string, StoredUnitView>;
  readonly schedule: Map<string, Map<string, ScheduledUnit>>;
  readonly placement: Map<string, string>;
  /** Units with MachineOf= peers. */
  readonly followers: Set<string>;
}

/**
 * Registry snapshot → the planner's input, plus what the sync step compares against. Units
 * scheduled on `held` machines (vanished in a mass loss, within the grace period) are left out
 * entirely, so this pass neither moves nor touches them.
 */
function viewOf(snap: ClusterSnapshot, cache: RequirementsCache, held: ReadonlySet<string>): SnapshotView {
  const heldUnits = new Set(snap.schedule.filter((e) => held.has(e.machineId)).map((e) => e.unit.name));
  const units = new Map<string, StoredUnitView>();
  const clusterUnits: ClusterUnit[] = [];
  const live = new Set<string>();
  const followers = new Set<string>();
  for (const entry of snap.units) {
    const { name, hash, contents, targetState } = entry.unit;
    const req = cache.get(name, hash, contents);
    live.add(name);
    if (req === null || heldUnits.has(name)) continue;
    units.set(name, { record: entry.unit, modRevision: entry.modRevision });
    if (req.machineOf.length > 0) followers.add(name);
    clusterUnits.push({ name, hash, targetState, requirements: req });
  }
  cache.retain(live);

  const machines: MachineInfo[] = snap.machines.map((m) => m.machine);
  const liveMachines = new Set(machines.map((m) => m.id));
  const schedule = new Map<string, Map<string, ScheduledUnit>>();
  for (const entry of snap.schedule) {
    if (heldUnits.has(entry.unit.name)) continue;
    let byMachine = schedule.get(entry.unit.name);
    if (byMachine === undefined) schedule.set(entry.unit.name, (byMachine = new Map()));
    byMachine.set(entry.machineId, entry.unit);
  }
  // One machine per unit for the planner: a live one first, then the lowest id.
  const placement = new Map<string, string>();
  for (const [name, byMachine] of schedule) {
    if (byMachine.size === 1) {
      placement.set(name, byMachine.keys().next().value!);
      continue;
    }
    const ids = [...byMachine.keys()].sort();
    placement.set(name, ids.find((id) => liveMachines.has(id)) ?? ids[0]!);
  }
  return {
    clusterSnapshot: { units: clusterUnits, schedule: Object.fromEntries(placement), machines },
    units,
    schedule,
    placement,
    followers,
  };
}
