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
import { computePlan } from './plan.js';
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
  /** Periodic resync (fleet's engine_reconcile_interval). */
  readonly reconcileIntervalMs: number;
  /** The reschedule-storm brake; without it every lost machine's units move at once. */
  readonly massLoss?: MassLossSettings;
}

export interface Engine {
  stop(): Promise<void>;
  /** Passes completed while leader (for tests and metrics). */
  passes(): number;
}

/** Parsing unit files is the costly part of a pass; a unit's requirements depend only on its name and hash. */
class RequirementsCache {
  private readonly cache = new Map<string, UnitRequirements | null>();
  constructor(private readonly logger: Logger) {}

  get(name: string, hash: string, contents: string): UnitRequirements | null {
    const key = `${name}\u0000${hash}`;
    let req = this.cache.get(key);
    if (req === undefined) {
      try {
        req = unitRequirements(parseUnitFile(contents), name).requirements;
      } catch (error) {
        this.logger.warn('skipping unit whose stored contents do not parse', { unit: name, err: describeError(error) });
        req = null;
      }
      this.cache.set(key, req);
    }
    return req;
  }

  /** Drops entries of units that no longer exist (keys outside `live`). */
  retain(live: ReadonlySet<string>): void {
    if (this.cache.size <= live.size * 2) return;
    for (const key of this.cache.keys()) if (!live.has(key)) this.cache.delete(key);
  }
}

export function startEngine(options: EngineOptions): Engine {
  const { registry, leadership, clock } = options;
  const logger = options.logger.child({ component: 'engine' });
  const requirements = new RequirementsCache(logger);
  let term: { abort: AbortController; loop: ReconcileLoop; watches: RegistryWatch[] } | undefined;
  let unschedulable: Map<string, UnschedulableRecord> | undefined;
  let losses: MassLossState = initialMassLossState;
  let passCount = 0;
  let stopped = false;

  async function pass(): Promise<void> {
    if (!leadership.isLeader()) return;
    const guard = leadership.guard();
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
      if (held.size > 0) term?.loop.wakeAt(losses.pausedUntil);
    }
    const { clusterSnapshot, units, schedule, placement } = viewOf(snap, requirements, held);
    const plan = computePlan(buildClusterState(clusterSnapshot));
    const changes = syncChanges({ units, schedule, placement, unschedulable, plan });
    passCount++;
    if (changes.length === 0) return;
    const result = await registry.applyScheduleChanges(
      changes.map((c) => c.change),
      guard,
      snap.revision,
    );
    for (const { change, reason } of changes.slice(0, result.applied)) {
      if (change.kind === 'schedule') logger.info('scheduled unit', { unit: change.unit.name, machine: change.machineId, reason });
      else if (change.kind === 'unschedule') logger.info('unscheduled unit', { unit: change.name, machine: change.machineId, reason });
      else if (change.kind === 'mark-unschedulable') {
        unschedulable.set(change.record.name, change.record);
        logger.info('unit cannot be placed', { unit: change.record.name, reason });
      } else unschedulable.delete(change.name);
    }
    if (result.outcome === 'conflict') {
      logger.debug('state moved during the pass; planning again', { applied: result.applied });
      unschedulable = undefined;
      term?.loop.trigger();
    } else if (result.outcome === 'not-leader') {
      logger.warn('lost leadership while applying a plan; stopping writes');
    }
  }

  async function lead(): Promise<void> {
    if (term !== undefined || stopped) return;
    logger.info('became engine leader');
    const abort = new AbortController();
    unschedulable = undefined;
    losses = initialMassLossState;
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
    const handler = { onEvent: () => loop.trigger(), onResync: () => loop.trigger() };
    for (const kind of ['units', 'machines', 'schedule'] as const) {
      try {
        const watch = await registry.watchPrefix({ kind }, undefined, handler);
        if (term === current) current.watches.push(watch);
        else await watch.close();
      } catch (error) {
        // The periodic resync still converges; the watch is retried on the next leadership term.
        logger.warn('could not watch the registry; relying on the periodic resync', { kind, err: describeError(error) });
      }
    }
  }

  async function follow(): Promise<void> {
    const current = term;
    if (current === undefined) return;
    term = undefined;
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
  for (const entry of snap.units) {
    const { name, hash, contents, targetState } = entry.unit;
    const req = cache.get(name, hash, contents);
    live.add(`${name}\u0000${hash}`);
    if (req === null || heldUnits.has(name)) continue;
    units.set(name, { record: entry.unit, modRevision: entry.modRevision });
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
    const ids = [...byMachine.keys()].sort();
    placement.set(name, ids.find((id) => liveMachines.has(id)) ?? ids[0]!);
  }
  return {
    clusterSnapshot: { units: clusterUnits, schedule: Object.fromEntries(placement), machines },
    units,
    schedule,
    placement,
  };
}
