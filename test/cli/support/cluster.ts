import { randomBytes } from 'node:crypto';
import type { MachineRecord, UnitStateRecord, UnschedulableRecord } from '@fleet/core';
import { noopLogger } from '@fleet/core';
import { EtcdRegistry, createEtcdClient } from '@fleet/registry';
import type { EtcdClient, FencingGuard, LeaseRef, ScheduleChange, UnitEntry } from '@fleet/registry';

/**
 * The cluster fleetctl talks to in the CLI tests: an etcd endpoint and key prefix with machines
 * registered, whose engine and agents act on what fleetctl writes. Phase 1 is SimulatedCluster
 * below (the cluster's side played through the Registry API, deterministically); a cluster of
 * real fleetd processes can implement the same interface later and run the same tests.
 */
export interface CliCluster {
  readonly endpoint: string;
  readonly prefix: string;
  readonly machines: readonly MachineRecord[];
  /** The environment that points fleetctl at this cluster. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

/** How the simulated engine and agents treat particular units (all optional). */
export interface SimulatedBehaviour {
  /** Machine id to place a non-global unit on; the first machine when undefined. */
  placeOn?(unit: string): string | undefined;
  /** The engine cannot place the unit: it writes this reason instead (asked on every pass). */
  unschedulable?(unit: string): UnschedulableRecord | undefined;
  /** The agent fails to run the unit's container, with this error. */
  failure?(unit: string): string | undefined;
  /** Neither engine nor agent touch the unit (to make a wait time out). */
  frozen?(unit: string): boolean;
}

export const IMAGE = 'fleet-test/busybox:1';
/** What the simulated agent reports as the time each container started. */
export const STARTED_AT = '2026-11-25T10:00:00.000Z';

export function machineRecord(index: number, overrides: Partial<MachineRecord> = {}): MachineRecord {
  const id = `${String(index).repeat(8)}${randomBytes(12).toString('hex')}`.slice(0, 32);
  return {
    id,
    publicIp: `10.0.0.${index}`,
    metadata: { region: 'us' },
    version: '0.1.0',
    dockerEndpoint: '',
    dockerVersion: '20.10.24',
    cpus: 2,
    memoryBytes: 1 << 30,
    startedAt: STARTED_AT,
    ...overrides,
  };
}

/** Fake container id for a unit on a machine: 64 hex characters, stable per (unit, machine). */
export function containerIdOf(unit: string, machineId: string): string {
  let h = 0;
  for (const ch of `${unit}/${machineId}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(8);
}

/**
 * Plays the engine and the agents on etcd: every 50 ms it places units with a non-inactive
 * desired state (on the first machine, or as `behaviour` says), publishes the state the agent
 * would (loaded: container created; launched: running), unplaces inactive units and forgets
 * destroyed ones. Global units get a state on every machine.
 */
export class SimulatedCluster implements CliCluster {
  readonly registry: EtcdRegistry;
  private readonly leases = new Map<string, LeaseRef & { revoke(): Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private guard: FencingGuard | undefined;
  private stopped = false;
  private ticking: Promise<void> = Promise.resolve();
  /** Passes run so far; tests wait on it instead of sleeping. */
  passes = 0;

  private constructor(
    readonly endpoint: string,
    readonly prefix: string,
    readonly machines: MachineRecord[],
    private readonly client: EtcdClient,
    readonly behaviour: SimulatedBehaviour,
  ) {
    this.registry = new EtcdRegistry({ client, logger: noopLogger, prefix });
  }

  static async start(
    endpoint: string,
    options: { machines?: MachineRecord[]; behaviour?: SimulatedBehaviour; react?: boolean } = {},
  ): Promise<SimulatedCluster> {
    const prefix = `/fleetctl-test-${randomBytes(4).toString('hex')}/`;
    const client = createEtcdClient({ endpoints: [endpoint], callTimeoutMs: 5_000 });
    const machines = options.machines ?? [machineRecord(1)];
    const cluster = new SimulatedCluster(endpoint, prefix, machines, client, options.behaviour ?? {});
    for (const machine of machines) await cluster.addMachine(machine);
    if (options.react !== false) cluster.react();
    return cluster;
  }

  env(): Record<string, string> {
    return { FLEETCTL_ENDPOINT: this.endpoint, FLEETCTL_ETCD_KEY_PREFIX: this.prefix };
  }

  /** Registers a machine with a lease of its own. */
  async addMachine(machine: MachineRecord): Promise<void> {
    const lease = this.client.lease(60, { autoKeepAlive: false });
    const id = await lease.grant();
    this.leases.set(machine.id, { id, revoke: () => lease.revoke() });
    await this.registry.registerMachine(machine, { id });
    if (!this.machines.includes(machine)) this.machines.push(machine);
  }

  /** Publishes a state as the machine's agent would. */
  async publish(state: UnitStateRecord): Promise<void> {
    const lease = this.leases.get(state.machineId);
    if (lease === undefined) throw new Error(`no machine ${state.machineId}`);
    await this.registry.publishState(state, lease);
  }

  /** Writes schedule changes as the engine leader would. */
  async applyAsEngine(changes: readonly ScheduleChange[]): Promise<void> {
    if (changes.length === 0) return;
    const guard = await this.engineGuard();
    const result = await this.registry.applyScheduleChanges(changes, guard, '0');
    if (result.outcome === 'not-leader') throw new Error('simulated engine lost its guard');
  }

  /** Starts the reaction loop. */
  react(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.ticking = this.tick()
        .catch(() => undefined)
        .then(() => {
          this.passes += 1;
          if (!this.stopped) this.timer = setTimeout(loop, 50);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.all([...this.leases.values()].map((l) => l.revoke().catch(() => undefined)));
    this.client.close();
  }

  private async engineGuard(): Promise<FencingGuard> {
    if (this.guard === undefined) {
      const key = `${this.prefix}sim/engine-guard`;
      await this.client.put(key).value('simulated engine');
      const response = await this.client.get(key).exec();
      this.guard = { key, createRevision: response.kvs[0]!.create_revision };
    }
    return this.guard;
  }

  /** One pass of the simulated engine and agents. */
  private async tick(): Promise<void> {
    const [units, schedule, states, unschedulable] = await Promise.all([
      this.registry.listUnits(),
      this.registry.listSchedule(),
      this.registry.listStates(),
      this.registry.listUnschedulable(),
    ]);
    const byName = new Map(units.map((u) => [u.unit.name, u]));
    const changes: ScheduleChange[] = [];
    const placed = new Map(schedule.map((s) => [s.unit.name, s.machineId]));
    const marked = new Map(unschedulable.map((u) => [u.record.name, u.record]));
    const wanted = new Map<string, UnitStateRecord>(); // key unit/machine

    for (const entry of units) {
      const { name, targetState } = entry.unit;
      if (this.behaviour.frozen?.(name) === true) continue;
      if (entry.global) {
        if (targetState === 'inactive') continue;
        for (const machine of this.machines) wanted.set(`${name}/${machine.id}`, this.stateFor(entry, machine.id));
        continue;
      }
      let machineId = placed.get(name);
      if (targetState === 'inactive') {
        if (machineId !== undefined) changes.push({ kind: 'unschedule', machineId, name });
        continue;
      }
      if (machineId === undefined) {
        const reason = this.behaviour.unschedulable?.(name);
        if (reason !== undefined) {
          if (!sameRecord(marked.get(name), reason)) changes.push({ kind: 'mark-unschedulable', record: reason });
          continue;
        }
        machineId = this.behaviour.placeOn?.(name) ?? this.machines[0]!.id;
        changes.push({ kind: 'schedule', machineId, unit: entry.unit, unitRevision: entry.modRevision });
        if (marked.has(name)) changes.push({ kind: 'clear-unschedulable', name });
      }
      wanted.set(`${name}/${machineId}`, this.stateFor(entry, machineId));
    }
    // Destroyed units: the engine drops their schedule.
    for (const s of schedule) {
      if (!byName.has(s.unit.name) && this.behaviour.frozen?.(s.unit.name) !== true) {
        changes.push({ kind: 'unschedule', machineId: s.machineId, name: s.unit.name });
      }
    }
    await this.applyAsEngine(changes);

    // The agents: publish what changed, delete states of units no longer theirs.
    const published = new Map(states.map((e) => [`${e.state.name}/${e.state.machineId}`, e.state]));
    for (const [key, state] of wanted) {
      if (!sameRecord(published.get(key), state)) await this.publish(state);
    }
    for (const [key, state] of published) {
      if (wanted.has(key) || this.behaviour.frozen?.(state.name) === true) continue;
      await this.registry.deleteState(state.name, state.machineId);
    }
  }

  private stateFor(entry: UnitEntry, machineId: string): UnitStateRecord {
    const { name, hash, targetState } = entry.unit;
    const base = { name, machineId, hash, loadState: 'loaded' };
    const failure = this.behaviour.failure?.(name);
    if (failure !== undefined) return { ...base, activeState: 'failed', subState: 'failed', error: failure };
    const containerId = containerIdOf(name, machineId);
    if (targetState === 'launched') {
      return { ...base, activeState: 'active', subState: 'running', containerId, image: IMAGE, startedAt: STARTED_AT, restartCount: 0 };
    }
    return { ...base, activeState: 'inactive', subState: 'dead', containerId, image: IMAGE, restartCount: 0 };
  }
}

/** Equal as JSON whatever the key order (decoded records come back in schema order). */
function sameRecord(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, v]) => [k, canonical(v)]))
        : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
