import {
  describeError,
  encodeUnitStateRecord,
  parseUnitFile,
  resolveContainerSpec,
  runReconcileLoop,
  unitRequirements,
  type Clock,
  type ContainerSpec,
  type Logger,
  type MachineRecord,
  type ReconcileLoop,
  type ScheduledUnit,
  type UnitRecord,
  type UnitRequirements,
  type UnitStateRecord,
} from '@fleet/core';
import type { LeaseRef, Registry, RegistryEvent, RegistryWatch } from '@fleet/registry';
import type { ContainerRuntime, RuntimeContainer } from '@fleet/runtime';
import { desiredUnits, type AgentUnit, type DesiredUnit } from './desired.js';
import { containersToFence, FENCE_REASON } from './fence.js';
import { computeTasks, type AgentTask, type LaunchRecord, type ObservedContainer, type RestartSettings } from './tasks.js';
import { unitStateFor } from './unit-state.js';

/**
 * The agent: drives this machine's Docker daemon towards what the registry says should run here
 * (its own schedule prefix plus matching Global units), and publishes each unit's state.
 * A pass = (fresh read if a watch gap was reported) → desired units → Docker's list of fleet
 * containers → pure task list → execute in order → publish changed states. Passes run on
 * registry watch events and Docker events, on a due restart, and periodically.
 */
export interface AgentLease extends LeaseRef {
  /** False once a full TTL has passed without a successful keepalive: the agent starts nothing. */
  isHealthy(): boolean;
  /** True while keepalives fail because etcd is down everywhere (nothing can move): only for logs. */
  isEtcdDown?(): boolean;
}

export interface AgentOptions {
  readonly registry: Registry;
  readonly runtime: ContainerRuntime;
  /** The lease this machine's keys are bound to; may be swapped after a re-grant (setLease). */
  readonly lease: AgentLease;
  /** This machine's current record (metadata can change on SIGHUP). */
  readonly machine: () => MachineRecord;
  readonly hostname: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Periodic full pass even without events (fleet's agent used 5 s). */
  readonly reconcileIntervalMs: number;
  /** Where launch records survive a fleetd restart (so an exited Restart=no container stays down). */
  readonly launchStore?: LaunchStore;
}

export interface LaunchStore {
  launches(): Promise<Record<string, LaunchRecord>>;
  saveLaunches(launches: Readonly<Record<string, LaunchRecord>>): Promise<void>;
}

interface UnitInfo {
  readonly record: UnitRecord;
  readonly requirements: UnitRequirements;
  readonly spec: ContainerSpec | undefined;
  /** Why the unit cannot become a container here (unit file problems), if it cannot. */
  readonly specError: string | undefined;
}

const DEFAULT_STOP_TIMEOUT_SEC = 10;
/** How many containers a pass stops or removes at once (Docker handles these in parallel well). */
const GIVE_UP_CONCURRENCY = 16;
/** A unit whose create/start keeps failing (missing image, bad mount…) is retried at most this often… */
const FAILURE_RETRY_MAX_MS = 60_000;
/** …starting after this delay, doubling per consecutive failure: never a hot loop. */
const FAILURE_RETRY_MIN_MS = 1_000;

export class Agent {
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private loop: ReconcileLoop | undefined;
  private watches: RegistryWatch[] = [];
  private events: Promise<void> | undefined;
  private lease: AgentLease;

  /** This machine's schedule and the Global units, as last read or watched. */
  private readonly scheduled = new Map<string, ScheduledUnit>();
  private readonly globals = new Map<string, UnitRecord>();
  private needsSnapshot = true;
  private snapshotRevision = 0n;
  /** Watch events that arrive while a snapshot read is in flight, replayed on top of it. */
  private arrivedDuringRead: RegistryEvent[] | undefined;
  /** Bumped by every fence: a pass planned before a fence must start nothing. */
  private fenceEpoch = 0;
  private fenced = false;
  /** Docker changes (a pass's tasks, the fence) run one at a time, in order. */
  private dockerOps: Promise<unknown> = Promise.resolve();

  private readonly launches = new Map<string, LaunchRecord>();
  private savedLaunches = '{}';
  private readonly errors = new Map<string, string>();
  /** Units whose create/start failed: no new attempt before `at` unless the unit's hash changes. */
  private readonly backoff = new Map<string, { hash: string; failures: number; at: number }>();
  private readonly published = new Map<string, string>();
  /**
   * Set at start and after a lease change: states a previous run (or the lost lease, if etcd
   * kept it) published under this lease are not in `published`, and must be learnt before the
   * next publish, or a unit moved away meanwhile keeps a stale state forever.
   */
  private learnPublished = true;
  private readonly unitInfo = new Map<string, UnitInfo>();

  constructor(private readonly options: AgentOptions) {
    this.logger = options.logger.child({ component: 'agent', machine: options.machine().id });
    this.lease = options.lease;
  }

  get machineId(): string {
    return this.options.machine().id;
  }

  async start(): Promise<void> {
    const { registry, runtime } = this.options;
    for (const [unit, record] of Object.entries((await this.options.launchStore?.launches()) ?? {})) this.launches.set(unit, record);
    this.savedLaunches = JSON.stringify(Object.fromEntries(this.launches));
    const handler = {
      onEvent: (event: RegistryEvent) => this.onRegistryEvent(event),
      onResync: () => {
        this.needsSnapshot = true;
        this.loop?.trigger();
      },
    };
    this.loop = runReconcileLoop({
      name: 'agent',
      intervalMs: this.options.reconcileIntervalMs,
      reconcile: () => this.pass(),
      clock: this.options.clock,
      logger: this.logger,
      signal: this.abort.signal,
    });
    this.watches.push(await registry.watchPrefix({ kind: 'schedule', machineId: this.machineId }, undefined, handler));
    this.watches.push(await registry.watchPrefix({ kind: 'global' }, undefined, handler));
    this.needsSnapshot = true;
    this.loop.trigger();
    this.events = runtime.events(() => this.loop?.trigger(), this.abort.signal, {
      onConnected: () => this.loop?.trigger(),
      onDisconnected: (error) => this.logger.warn('Docker event stream lost; reconnecting', { err: error?.message }),
    });
  }

  /** Called when the lease was lost and a new one granted and registered: re-read everything. */
  setLease(lease: AgentLease): void {
    this.lease = lease;
    this.published.clear();
    this.learnPublished = true;
    this.needsSnapshot = true;
    this.loop?.trigger();
  }

  /** Asks for a pass soon (e.g. after the lease recovered or the machine's metadata changed). */
  trigger(): void {
    this.needsSnapshot = true;
    this.loop?.trigger();
  }

  /** Stops reconciling. With `purge`, also stops and removes every fleet container here and deletes their states. */
  async stop(purge: boolean): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([this.loop?.done, this.events, ...this.watches.map((w) => w.close())]);
    if (!purge) return;
    const containers = await this.options.runtime.list();
    for (const c of containers) {
      try {
        await this.options.runtime.stop(c.id, this.stopTimeoutOf(c));
        await this.options.runtime.remove(c.id);
        this.logger.info('removed container', { unit: c.unit, container: c.id.slice(0, 12), reason: 'purging agent' });
      } catch (error) {
        this.logger.error('could not remove container while purging', { unit: c.unit, err: describeError(error) });
      }
    }
    for (const name of this.published.keys()) {
      await this.options.registry.deleteState(name, this.machineId).catch(() => undefined);
    }
  }

  /**
   * The lease is lost while etcd may be serving the others (a partition, or this process was
   * frozen): the engine may move this machine's units as soon as etcd expires the lease, so stop
   * every non-global container now. Called at the keeper's fence point, which is no later than
   * etcd's expiry. Nothing starts again until the lease is back and the schedule re-read.
   */
  async fence(why: string): Promise<void> {
    if (this.abort.signal.aborted) return;
    // Whatever a pass read before the fence is stale: it must start nothing, and the next pass
    // reads the schedule again.
    this.fenceEpoch++;
    this.needsSnapshot = true;
    await this.exclusive(async () => {
      const { runtime } = this.options;
      const globalUnits = new Set([...this.globals.keys()].filter((name) => !this.scheduled.has(name)));
      const running = (await runtime.list()).map((c) => ({ ...c, running: c.state === 'running' }));
      const victims = containersToFence(running, globalUnits);
      this.logger.warn(`lease lost (${why}): stopping ${victims.length} non-global containers before etcd can expire the lease`);
      // Forget the launches before stopping, durably: a fleetd killed mid-fence must not take the
      // stopped containers for units that exited on their own (Restart=no would keep them down).
      for (const c of victims) this.launches.delete(c.unit);
      await this.saveLaunches();
      // All at once: the last copy stopped bounds the double-run window, not the sum of the stops.
      await Promise.all(
        victims.map(async (c) => {
          try {
            await runtime.stop(c.id, this.stopTimeoutOf(c));
            // Not a crash: a later pass starts it again if it is still scheduled here.
            this.launches.delete(c.unit);
            this.logger.info('stopped container', { unit: c.unit, container: c.id.slice(0, 12), reason: FENCE_REASON });
          } catch (error) {
            this.logger.error('could not stop container while fencing', { unit: c.unit, err: describeError(error) });
          }
        }),
      );
      await this.saveLaunches();
    });
  }

  /** The unit's TimeoutStopSec= when its file is known here, else Docker's usual 10 s. */
  private stopTimeoutOf(c: { unit: string; hash: string }): number {
    return this.unitInfo.get(`${c.unit}\u0000${c.hash}`)?.spec?.stopTimeoutSec ?? DEFAULT_STOP_TIMEOUT_SEC;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.dockerOps.then(fn, fn);
    this.dockerOps = run.catch(() => undefined);
    return run;
  }

  private onRegistryEvent(event: RegistryEvent): void {
    this.arrivedDuringRead?.push(event);
    if (BigInt(event.revision) <= this.snapshotRevision) return;
    if (event.kind === 'schedule') {
      if (event.type === 'put') this.scheduled.set(event.entry.unit.name, event.entry.unit);
      else this.scheduled.delete(event.name);
    } else if (event.kind === 'global') {
      if (event.type === 'put') this.globals.set(event.entry.unit.name, event.entry.unit);
      else this.globals.delete(event.name);
    }
    this.loop?.trigger();
  }

  private async readSnapshot(): Promise<void> {
    // Cleared before the read, so that a resync asked for while it is in flight causes another.
    this.needsSnapshot = false;
    const arrived: RegistryEvent[] = [];
    this.arrivedDuringRead = arrived;
    let snap;
    try {
      snap = await this.options.registry.machineSnapshot(this.machineId);
    } catch (error) {
      this.needsSnapshot = true;
      throw error;
    } finally {
      this.arrivedDuringRead = undefined;
    }
    this.scheduled.clear();
    for (const e of snap.schedule) this.scheduled.set(e.unit.name, e.unit);
    this.globals.clear();
    for (const e of snap.globals) this.globals.set(e.unit.name, e.unit);
    this.snapshotRevision = BigInt(snap.revision);
    // A write the engine made while the read was in flight may be newer than the snapshot.
    for (const e of arrived) this.onRegistryEvent(e);
  }

  private info(record: UnitRecord): UnitInfo {
    const key = `${record.name}\u0000${record.hash}`;
    let info = this.unitInfo.get(key);
    if (info !== undefined) return info;
    let requirements: UnitRequirements = { machineOf: [], metadata: {}, conflicts: [], global: false, replaces: [] };
    let spec: ContainerSpec | undefined;
    let specError: string | undefined;
    try {
      const file = parseUnitFile(record.contents);
      requirements = unitRequirements(file, record.name).requirements;
      const resolved = resolveContainerSpec(file, {
        unitName: record.name,
        machineId: this.machineId,
        hostname: this.options.hostname,
      });
      if (resolved.ok) spec = resolved.spec;
      else specError = resolved.errors.join('; ');
    } catch (error) {
      specError = describeError(error);
    }
    info = { record, requirements, spec, specError };
    this.unitInfo.set(key, info);
    return info;
  }

  private async pass(): Promise<void> {
    const healthy = this.lease.isHealthy();
    if (!healthy) {
      if (!this.fenced) {
        this.fenced = true;
        this.logger.warn(
          this.lease.isEtcdDown?.() === true
            ? 'etcd is down everywhere: keeping containers running, starting nothing until it is back'
            : 'lease not confirmed for a full TTL: starting nothing until the registry is reachable again',
        );
      }
      return;
    }
    if (this.fenced) {
      this.fenced = false;
      this.needsSnapshot = true;
      this.logger.info('registry reachable again: re-reading assignments before acting');
    }
    const epoch = this.fenceEpoch;
    if (this.needsSnapshot) await this.readSnapshot();

    const machine = this.options.machine();
    const records = new Map<string, UnitRecord>();
    for (const [name, u] of this.globals) records.set(name, u);
    for (const [name, u] of this.scheduled) records.set(name, u);
    const agentUnits: AgentUnit[] = [];
    const schedule: Record<string, string> = {};
    const infos = new Map<string, UnitInfo>();
    for (const [name, record] of records) {
      const info = this.info(record);
      infos.set(name, info);
      agentUnits.push({ name, hash: record.hash, targetState: record.targetState, requirements: info.requirements });
      if (this.scheduled.has(name)) schedule[name] = machine.id;
    }
    const desired = desiredUnits({ machine, units: agentUnits, schedule });
    const inUse = new Set([...records.values()].map((r) => `${r.name}\u0000${r.hash}`));
    for (const key of this.unitInfo.keys()) if (!inUse.has(key)) this.unitInfo.delete(key);
    const containers = await this.options.runtime.list();
    const restartSettings = (name: string): RestartSettings => {
      const spec = infos.get(name)?.spec;
      return spec === undefined ? { policy: 'no', restartSecMs: 0 } : { policy: spec.restart, restartSecMs: spec.restartSecMs };
    };
    const plan = computeTasks({
      desired,
      containers: containers.map(observed),
      launches: this.launches,
      restartSettings,
      now: this.options.clock.now(),
    });
    const failedUnits = new Set<string>();
    const created = new Map<string, string>();
    const now = this.options.clock.now();
    const hashOf = new Map(desired.map((d) => [d.name, d.hash]));
    for (const [name, b] of this.backoff) if (hashOf.get(name) !== b.hash) this.backoff.delete(name);
    await this.exclusive(() => this.runTasks(plan.tasks, infos, hashOf, now, failedUnits, created, epoch));
    if (this.fenceEpoch !== epoch) {
      this.loop?.trigger();
      return;
    }
    if (plan.wakeAt !== undefined) this.loop?.wakeAt(plan.wakeAt);
    for (const name of this.launches.keys()) if (!desired.some((d) => d.name === name)) this.launches.delete(name);
    await this.saveLaunches();
    await this.publishStates(desired, infos, new Set(plan.pendingRestarts));
  }

  private async runTasks(
    tasks: readonly AgentTask[],
    infos: ReadonlyMap<string, UnitInfo>,
    hashOf: ReadonlyMap<string, string>,
    now: number,
    failedUnits: Set<string>,
    created: Map<string, string>,
    epoch: number,
  ): Promise<void> {
    const runOne = async (task: AgentTask): Promise<void> => {
      const wait = this.backoff.get(task.unit);
      // Removing and stopping are never held back: they are how a machine gives units up.
      if (wait !== undefined && (task.kind === 'create' || task.kind === 'start') && wait.at > now) {
        this.loop?.wakeAt(wait.at);
        failedUnits.add(task.unit);
        return;
      }
      try {
        await this.execute(task, infos.get(task.unit), created);
        if (task.kind === 'create' || task.kind === 'start') this.backoff.delete(task.unit);
      } catch (error) {
        failedUnits.add(task.unit);
        const message = describeError(error);
        this.errors.set(task.unit, message);
        const failures = (wait?.failures ?? 0) + 1;
        const at = now + Math.min(FAILURE_RETRY_MIN_MS * 2 ** (failures - 1), FAILURE_RETRY_MAX_MS);
        this.backoff.set(task.unit, { hash: hashOf.get(task.unit) ?? '', failures, at });
        this.loop?.wakeAt(at);
        this.logger.error('task failed', { task: task.kind, unit: task.unit, err: message, retryInMs: at - now });
      }
    };
    for (let i = 0; i < tasks.length; ) {
      const kind = tasks[i]!.kind;
      // The lease may have been lost since the pass began (the fence ran meanwhile): start nothing.
      if ((kind === 'create' || kind === 'start') && (!this.lease.isHealthy() || this.fenceEpoch !== epoch)) {
        this.loop?.trigger();
        return;
      }
      // Copies given up (removes, stops) go all at once, a few at a time: a fleetd back from a
      // crash with many units moved away must not keep them running for the sum of their stop
      // timeouts. Creates and starts stay in order, one at a time.
      const width = kind === 'remove' || kind === 'stop' ? GIVE_UP_CONCURRENCY : 1;
      const batch: AgentTask[] = [];
      while (i < tasks.length && tasks[i]!.kind === kind && batch.length < width) batch.push(tasks[i++]!);
      await Promise.all(batch.filter((task) => !failedUnits.has(task.unit)).map(runOne));
    }
  }

  private async execute(task: AgentTask, info: UnitInfo | undefined, created: Map<string, string>): Promise<void> {
    const { runtime } = this.options;
    const log = { unit: task.unit, reason: task.reason };
    switch (task.kind) {
      case 'remove': {
        const timeout = info?.spec?.stopTimeoutSec ?? DEFAULT_STOP_TIMEOUT_SEC;
        await runtime.stop(task.containerId!, timeout);
        await runtime.remove(task.containerId!);
        this.launches.delete(task.unit);
        this.logger.info('removed container', { ...log, container: task.containerId!.slice(0, 12) });
        return;
      }
      case 'create': {
        if (info?.spec === undefined) throw new Error(info?.specError ?? 'unit has no container to run');
        const spec = info.spec;
        await runtime.ensureImage(spec.image, spec.pull);
        const c = await runtime.create(task.unit, task.hash!, spec);
        created.set(task.unit, c.id);
        this.errors.delete(task.unit);
        this.logger.info('created container', { ...log, container: c.id.slice(0, 12), image: spec.image });
        return;
      }
      case 'stop': {
        await runtime.stop(task.containerId!, info?.spec?.stopTimeoutSec ?? DEFAULT_STOP_TIMEOUT_SEC);
        this.launches.delete(task.unit);
        this.logger.info('stopped container', { ...log, container: task.containerId!.slice(0, 12) });
        return;
      }
      case 'start': {
        const id = task.containerId ?? created.get(task.unit);
        if (id === undefined) throw new Error('no container to start');
        await runtime.start(id);
        const restarts = task.restarts ?? 0;
        this.launches.set(task.unit, { containerId: id, restarts });
        this.errors.delete(task.unit);
        this.logger.info('started container', { ...log, container: id.slice(0, 12), restarts });
        return;
      }
    }
  }

  private async saveLaunches(): Promise<void> {
    const text = JSON.stringify(Object.fromEntries([...this.launches].sort(([a], [b]) => (a < b ? -1 : 1))));
    if (text === this.savedLaunches || this.options.launchStore === undefined) return;
    try {
      await this.options.launchStore.saveLaunches(JSON.parse(text) as Record<string, LaunchRecord>);
      this.savedLaunches = text;
    } catch (error) {
      this.logger.warn('could not save launch records', { err: describeError(error) });
    }
  }

  /** Publishes each desired unit's state when it changed, and deletes states of units gone from here. */
  private async publishStates(desired: readonly DesiredUnit[], infos: Map<string, UnitInfo>, pendingRestarts: ReadonlySet<string>): Promise<void> {
    const { registry, runtime } = this.options;
    if (this.learnPublished) {
      // Unknown text: a desired unit's state is written again, any other one deleted below.
      for (const name of await registry.statesOnLease(this.lease, this.machineId)) if (!this.published.has(name)) this.published.set(name, '');
      this.learnPublished = false;
    }
    const byUnit = new Map<string, RuntimeContainer>();
    for (const c of await runtime.list()) {
      const prev = byUnit.get(c.unit);
      if (prev === undefined || (c.state === 'running' && prev.state !== 'running')) byUnit.set(c.unit, c);
    }
    const machineId = this.machineId;
    // Written together: at a launch each machine's states go in one txn, not one request apiece.
    const changed: { name: string; state: UnitStateRecord; text: string }[] = [];
    for (const d of desired) {
      const container = byUnit.get(d.name);
      const sameHash = container !== undefined && container.hash === d.hash ? container : undefined;
      const info = infos.get(d.name);
      const error = this.errors.get(d.name) ?? (info?.spec === undefined ? info?.specError : undefined);
      const state = unitStateFor({
        name: d.name,
        hash: d.hash,
        machineId,
        targetState: d.targetState,
        restartPending: pendingRestarts.has(d.name),
        restarts: this.launches.get(d.name)?.restarts ?? 0,
        ...(sameHash === undefined ? {} : { container: sameHash }),
        ...(info?.spec === undefined ? {} : { image: info.spec.image }),
        ...(error === undefined ? {} : { error }),
      });
      const text = encodeUnitStateRecord(state);
      if (this.published.get(d.name) !== text) changed.push({ name: d.name, state, text });
    }
    if (changed.length > 0) {
      await registry.publishStates(changed.map((c) => c.state), this.lease);
      for (const { name, text } of changed) this.published.set(name, text);
    }
    const wanted = new Set(desired.map((d) => d.name));
    for (const name of [...this.published.keys()]) {
      if (wanted.has(name)) continue;
      await registry.deleteState(name, machineId);
      this.published.delete(name);
      this.errors.delete(name);
    }
  }
}

function observed(c: RuntimeContainer): ObservedContainer {
  const status = c.state === 'running' || c.state === 'created' || c.state === 'exited' ? c.state : c.state === 'dead' ? 'exited' : 'other';
  return {
    id: c.id,
    unit: c.unit,
    hash: c.hash,
    status,
    ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
    ...(c.startedAt === undefined ? {} : { startedAt: c.startedAt }),
    ...(c.finishedAt === undefined ? {} : { finishedAt: c.finishedAt }),
  };
}
