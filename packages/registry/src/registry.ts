import type {
  MachineRecord,
  ScheduledUnit,
  TargetState,
  UnitRecord,
  UnitStateRecord,
  UnschedulableRecord,
} from '@fleet/core';
import type { UnitExistsError } from './errors.js';

/**
 * The Registry port: what the engine, the agents and fleetctl may do to the shared state.
 * EtcdRegistry implements it on etcd v3 (docs/keyspace.md); revisions are etcd's int64
 * revisions as decimal strings. Every list is sorted by key, so by name/machine id.
 */

/** Anything that holds a lease id (LeaseKeeper does). */
export interface LeaseRef {
  readonly id: string;
}

/**
 * Proof of leadership added as a compare to every engine write: the leader's election key must
 * still exist with the create revision it had when we won. A deposed leader's writes fail.
 */
export interface FencingGuard {
  readonly key: string;
  readonly createRevision: string;
}

export interface UnitEntry {
  readonly unit: UnitRecord;
  readonly global: boolean;
  readonly modRevision: string;
}

export interface ScheduleEntry {
  readonly machineId: string;
  readonly unit: ScheduledUnit;
  readonly modRevision: string;
}

export interface MachineEntry {
  readonly machine: MachineRecord;
  /** Lease the machine key is bound to ('0' if none). */
  readonly leaseId: string;
  readonly modRevision: string;
}

export interface UnitStateEntry {
  readonly state: UnitStateRecord;
  readonly leaseId: string;
  readonly modRevision: string;
}

export interface UnschedulableEntry {
  readonly record: UnschedulableRecord;
  readonly modRevision: string;
}

/** What the engine plans over: one consistent read, all at `revision`. */
export interface ClusterSnapshot {
  readonly revision: string;
  readonly units: readonly UnitEntry[];
  readonly schedule: readonly ScheduleEntry[];
  readonly machines: readonly MachineEntry[];
  /** The reasons written by the last passes, so the engine rewrites only those that change. */
  readonly unschedulable: readonly UnschedulableEntry[];
}

/** What one agent needs: its own schedule and the Global units, at `revision`. */
export interface MachineSnapshot {
  readonly revision: string;
  readonly schedule: readonly ScheduleEntry[];
  readonly globals: readonly UnitEntry[];
}

/**
 * One engine write. `schedule` creates or refreshes `schedule/<machineId>/<name>` (also used to
 * carry a new hash/target state to the agent); it requires that the unit and the machine still
 * exist. Every schedule/unschedule also requires that its schedule key is unchanged since the read.
 *
 * Changes are applied in **stages**: a change with `afterEarlier` starts a new one, sent only
 * once every earlier change has landed (and not at all if one did not). Within a stage, changes
 * must be independent of each other: their txns are several in flight and any subset of them
 * may land.
 */
export type ScheduleChange = ScheduleWrite & {
  /** Starts a stage: sent only after every earlier change landed. */
  readonly afterEarlier?: boolean;
};

export type ScheduleWrite =
  | {
      readonly kind: 'schedule';
      readonly machineId: string;
      readonly unit: ScheduledUnit;
      /** Mod revision of `units/<name>` the plan read: written only while still current. */
      readonly unitRevision: string;
    }
  | { readonly kind: 'unschedule'; readonly machineId: string; readonly name: string }
  | { readonly kind: 'mark-unschedulable'; readonly record: UnschedulableRecord }
  | { readonly kind: 'clear-unschedulable'; readonly name: string };

/**
 * `landed[i]` tells whether `changes[i]` was committed; `applied` counts them. After a failed
 * txn nothing more is sent (txns already in flight in the same stage may still land), and when
 * the call returns every txn it sent has been answered: nothing of it lands later.
 * `conflict`: something the plan read has changed — re-read and re-plan.
 * `not-leader`: the guard failed — stop writing.
 */
export interface ApplyResult {
  readonly outcome: 'applied' | 'conflict' | 'not-leader';
  readonly applied: number;
  readonly landed: readonly boolean[];
  /** Revision of the last committed batch, the highest (the read revision if none committed). */
  readonly revision: string;
  /**
   * The revision of each committed batch (one txn, one revision), ascending: the writer's own
   * watch events.
   */
  readonly committed: readonly string[];
}

export type WatchTarget =
  | { readonly kind: 'units' }
  | { readonly kind: 'global' }
  | { readonly kind: 'machines' }
  | { readonly kind: 'schedule'; readonly machineId?: string }
  /** Every unit's states, or one unit's (`name`). */
  | { readonly kind: 'states'; readonly name?: string };

interface PutEvent<K extends string, E> {
  readonly kind: K;
  readonly type: 'put';
  readonly revision: string;
  readonly entry: E;
}

type DeleteEvent<K extends string, Id> = {
  readonly kind: K;
  readonly type: 'delete';
  readonly revision: string;
} & Id;

/** A decoded change. `revision` is the etcd revision of the change (mod revision of a put). */
export type RegistryEvent =
  | PutEvent<'units', UnitEntry>
  | DeleteEvent<'units', { readonly name: string }>
  | PutEvent<'global', UnitEntry>
  | DeleteEvent<'global', { readonly name: string }>
  | PutEvent<'machines', MachineEntry>
  | DeleteEvent<'machines', { readonly machineId: string }>
  | PutEvent<'schedule', ScheduleEntry>
  | DeleteEvent<'schedule', { readonly machineId: string; readonly name: string }>
  | PutEvent<'states', UnitStateEntry>
  | DeleteEvent<'states', { readonly machineId: string; readonly name: string }>;

/**
 * `resync`: the watch may have missed changes (it reconnected after a disconnection, or etcd
 * cancelled it — e.g. the start revision was compacted — and it was restarted from now). Take a
 * fresh snapshot; events at or below the snapshot's revision can then be ignored.
 */
export type ResyncReason = 'reconnected' | 'restarted';

export interface WatchHandler {
  onEvent(event: RegistryEvent): void;
  onResync(reason: ResyncReason): void;
}

/** What watchChanges reports: that something changed, at which revision, or that it may have missed some. */
export interface ChangeHandler {
  onChange(revision: string): void;
  onResync(reason: ResyncReason): void;
}

export interface RegistryWatch {
  close(): Promise<void>;
}

/** A unit to create, as createUnit takes it. */
export interface NewUnit {
  readonly unit: UnitRecord;
  readonly global: boolean;
}

/** One unit's outcome in createUnits: createUnit's result, or the UnitExistsError it throws. */
export type CreateUnitOutcome =
  | { readonly ok: true; readonly entry: UnitEntry; readonly created: boolean }
  | { readonly ok: false; readonly error: UnitExistsError };

export interface Registry {
  /**
   * Create-only: of concurrent creates exactly one wins. Resubmitting identical contents returns
   * the existing entry with `created: false`; other contents throw UnitExistsError.
   */
  createUnit(
    unit: UnitRecord,
    options: { global: boolean },
  ): Promise<{ entry: UnitEntry; created: boolean }>;
  /**
   * createUnit for many units at once (fleetctl submit), each with the outcome createUnit gives
   * it: created, identical and kept, or other contents registered (and nothing written for it).
   * Outcomes in the order of `units`, whose names must be distinct.
   */
  createUnits(units: readonly NewUnit[]): Promise<CreateUnitOutcome[]>;
  /** Overwrites an existing unit (fleetctl --replace), guarded by `expectedModRevision`. */
  replaceUnit(
    unit: UnitRecord,
    options: { global: boolean; expectedModRevision?: string },
  ): Promise<UnitEntry>;
  /** CAS on the record's mod revision; without `expectedModRevision`, reads and retries. */
  setTargetState(
    name: string,
    targetState: TargetState,
    expectedModRevision?: string,
  ): Promise<UnitEntry>;
  /** Deletes the unit (and its Global copy). False if it did not exist. */
  destroyUnit(name: string): Promise<boolean>;
  getUnit(name: string): Promise<UnitEntry | undefined>;
  listUnits(): Promise<UnitEntry[]>;
  listGlobalUnits(): Promise<UnitEntry[]>;

  /** Puts the machine key bound to `lease`; MachineExistsError if another lease holds the id. */
  registerMachine(machine: MachineRecord, lease: LeaseRef): Promise<MachineEntry>;
  /** Deletes the machine key if `lease` still holds it. */
  deregisterMachine(machineId: string, lease: LeaseRef): Promise<boolean>;
  listMachines(): Promise<MachineEntry[]>;

  listSchedule(machineId?: string): Promise<ScheduleEntry[]>;
  applyScheduleChanges(
    changes: readonly ScheduleChange[],
    guard: FencingGuard,
    readRevision: string,
  ): Promise<ApplyResult>;
  listUnschedulable(): Promise<UnschedulableEntry[]>;
  getUnschedulable(name: string): Promise<UnschedulableEntry | undefined>;

  publishState(state: UnitStateRecord, lease: LeaseRef): Promise<void>;
  /**
   * publishState for many states at once (an agent's pass): in as few txns as etcd allows, sent one
   * after another; a failed txn leaves the states of the txns before it written.
   */
  publishStates(states: readonly UnitStateRecord[], lease: LeaseRef): Promise<void>;
  deleteState(name: string, machineId: string): Promise<void>;
  listStates(name?: string): Promise<UnitStateEntry[]>;
  /**
   * The units whose state this machine has published under `lease`, from etcd's list of the
   * lease's keys: what a fleetd that resumed its previous lease inherited from its last run.
   */
  statesOnLease(lease: LeaseRef, machineId: string): Promise<string[]>;

  snapshot(): Promise<ClusterSnapshot>;
  /**
   * The store's current revision, read cheaply (no keys transferred). Equal to a snapshot's
   * revision means nothing at all was written since: that snapshot is still exact.
   */
  currentRevision(): Promise<string>;
  machineSnapshot(machineId: string): Promise<MachineSnapshot>;
  /** Events with revision > `afterRevision` (from now if undefined); resolves once live. */
  watchPrefix(
    target: WatchTarget,
    afterRevision: string | undefined,
    handler: WatchHandler,
  ): Promise<RegistryWatch>;
  /**
   * watchPrefix for a reader that needs only to know that something changed and at which revision
   * (the engine, whose own writes come back by the hundred thousand after a big apply): values are
   * not decoded, and any key under the prefix counts.
   */
  watchChanges(target: WatchTarget, afterRevision: string | undefined, handler: ChangeHandler): Promise<RegistryWatch>;
}
