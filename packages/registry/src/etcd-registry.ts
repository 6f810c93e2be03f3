import {
  DEFAULT_KEY_PREFIX,
  buildKeyspace,
  decodeMachineRecord,
  decodeScheduledUnit,
  decodeStoredUnit,
  decodeUnitStateRecord,
  decodeUnschedulableRecord,
  encodeMachineRecord,
  encodeStoredUnit,
  encodeUnitStateRecord,
  parseKey,
} from '@fleet/core';
import type {
  Decoded,
  Keyspace,
  Logger,
  MachineRecord,
  ParsedKey,
  TargetState,
  UnitRecord,
  UnitStateRecord,
} from '@fleet/core';
import type { IKeyValue, IRequestOp, ITxnRequest, ITxnResponse } from 'etcd3';
import type { EtcdClient } from './etcd-client.js';
import {
  compare,
  isCompacted,
  op,
  opSize,
  prefixRangeEnd,
  rangeResult,
} from './etcd-ops.js';
import {
  CasConflictError,
  MachineExistsError,
  UnitExistsError,
  UnitNotFoundError,
  toRegistryError,
} from './errors.js';
import { PrefixWatch } from './prefix-watch.js';
import { packStage, stagesOf, type ScheduleBatch, type ScheduleBatchLimits } from './schedule-batches.js';
import { runTxnPipeline } from './txn-pipeline.js';
import type {
  ApplyResult,
  ChangeHandler,
  ClusterSnapshot,
  CreateUnitOutcome,
  FencingGuard,
  LeaseRef,
  MachineEntry,
  MachineSnapshot,
  NewUnit,
  Registry,
  RegistryEvent,
  RegistryWatch,
  ScheduleChange,
  ScheduleEntry,
  UnitEntry,
  UnitStateEntry,
  UnschedulableEntry,
  WatchHandler,
  WatchTarget,
} from './registry.js';

export interface EtcdRegistryOptions {
  readonly client: EtcdClient;
  readonly logger: Logger;
  /** fleet's etcd_key_prefix. */
  readonly prefix?: string;
  /** Keys per range request when listing (a fixed revision keeps the pages consistent). */
  readonly pageSize?: number;
  /** etcd's --max-txn-ops (default 128): compares and ops per txn. */
  readonly maxTxnOps?: number;
  /** Bytes of puts per txn, below etcd's 1.5 MiB --max-request-bytes. */
  readonly maxTxnBytes?: number;
  /** Schedule txns of one stage sent before the first is answered. */
  readonly maxTxnsInFlight?: number;
}

const SET_TARGET_ATTEMPTS = 5;
/** createUnits' txns sent before the first is answered. */
const CREATE_TXNS_IN_FLIGHT = 4;
const DEFAULT_TXNS_IN_FLIGHT = 32;
/** Schedule txns answered slower than this mean etcd has a backlog: fewer go in flight. */
const TXN_TARGET_LATENCY_MS = 500;
const SNAPSHOT_ATTEMPTS = 3;
const ZERO = Buffer.from([0]);
/** Keys whose bad value we already logged (bounded: cleared when full). */
const MAX_REMEMBERED_BAD_KEYS = 1_000;

type KvDecoder<T> = (kv: IKeyValue, key: ParsedKey) => T | undefined;

export class EtcdRegistry implements Registry {
  readonly keys: Keyspace;
  private readonly client: EtcdClient;
  private readonly logger: Logger;
  private readonly pageSize: number;
  private readonly maxTxnOps: number;
  private readonly maxTxnBytes: number;
  private readonly maxTxnsInFlight: number;
  private readonly reportedBadKeys = new Set<string>();

  constructor(options: EtcdRegistryOptions) {
    this.client = options.client;
    this.logger = options.logger.child({ component: 'registry' });
    this.keys = buildKeyspace(options.prefix ?? DEFAULT_KEY_PREFIX);
    this.pageSize = options.pageSize ?? 5_000;
    this.maxTxnOps = options.maxTxnOps ?? 128;
    this.maxTxnBytes = options.maxTxnBytes ?? 1_000_000;
    this.maxTxnsInFlight = Math.max(1, options.maxTxnsInFlight ?? DEFAULT_TXNS_IN_FLIGHT);
  }

  // ---- units (fleetctl writes) ----------------------------------------------------------

  async createUnit(
    unit: UnitRecord,
    options: { global: boolean },
  ): Promise<{ entry: UnitEntry; created: boolean }> {
    const key = this.keys.unit(unit.name);
    const response = await this.txn('create unit', {
      compare: [compare.absent(key)],
      success: this.unitWrites(unit, options.global),
      failure: [op.get(key)],
    });
    if (response.succeeded) {
      return { entry: this.writtenUnit(unit, options.global, response), created: true };
    }
    const existing = this.decodeUnitKv(rangeResult(response, 0));
    if (existing?.unit.hash === unit.hash) return { entry: existing, created: false };
    throw new UnitExistsError(unit.name, existing?.unit.hash ?? '');
  }

  /**
   * Creates the units in txns of up to maxTxnOps units (a few in flight), each txn all-or-nothing:
   * when one of its units exists already, it writes nothing and its units are created one by one
   * through createUnit, which gives each its own outcome. One round trip per hundred units instead
   * of one per unit: most of what submitting 1,000 units cost.
   */
  async createUnits(units: readonly NewUnit[]): Promise<CreateUnitOutcome[]> {
    if (new Set(units.map((u) => u.unit.name)).size !== units.length) {
      throw new RangeError('createUnits: unit names must be distinct');
    }
    const writes = units.map(({ unit, global }) => this.unitWrites(unit, global));
    const batches = this.packWrites(writes);
    const outcomes = new Array<CreateUnitOutcome>(units.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) await this.createUnitBatch(units, writes, batches[next++]!, outcomes);
    };
    await Promise.all(Array.from({ length: Math.min(CREATE_TXNS_IN_FLIGHT, batches.length) }, worker));
    return outcomes;
  }

  private async createUnitBatch(
    units: readonly NewUnit[],
    writes: readonly IRequestOp[][],
    batch: readonly number[],
    outcomes: CreateUnitOutcome[],
  ): Promise<void> {
    // A lone unit goes straight to createUnit: one round trip whether it exists or not.
    const response =
      batch.length === 1
        ? undefined
        : await this.txn('create units', {
            compare: batch.map((i) => compare.absent(this.keys.unit(units[i]!.unit.name))),
            success: batch.flatMap((i) => writes[i]!),
          });
    if (response?.succeeded === true) {
      for (const i of batch) {
        const { unit, global } = units[i]!;
        outcomes[i] = { ok: true, entry: this.writtenUnit(unit, global, response), created: true };
      }
      return;
    }
    await Promise.all(
      batch.map(async (i) => {
        const { unit, global } = units[i]!;
        try {
          outcomes[i] = { ok: true, ...(await this.createUnit(unit, { global })) };
        } catch (error) {
          if (!(error instanceof UnitExistsError)) throw error;
          outcomes[i] = { ok: false, error };
        }
      }),
    );
  }

  /** Groups of writes (indices of `writes`), in order, so a txn holds at most maxTxnOps and maxTxnBytes. */
  private packWrites(writes: readonly IRequestOp[][]): number[][] {
    const batches: number[][] = [];
    let batch: number[] = [];
    let ops = 0;
    let bytes = 0;
    writes.forEach((unitWrites, i) => {
      const size = unitWrites.reduce((sum, w) => sum + opSize(w), 0);
      if (batch.length > 0 && (ops + unitWrites.length > this.maxTxnOps || bytes + size > this.maxTxnBytes)) {
        batches.push(batch);
        batch = [];
        ops = 0;
        bytes = 0;
      }
      batch.push(i);
      ops += unitWrites.length;
      bytes += size;
    });
    if (batch.length > 0) batches.push(batch);
    return batches;
  }

  async replaceUnit(
    unit: UnitRecord,
    options: { global: boolean; expectedModRevision?: string },
  ): Promise<UnitEntry> {
    const key = this.keys.unit(unit.name);
    const expected = options.expectedModRevision;
    const response = await this.txn('replace unit', {
      compare: [expected === undefined ? compare.exists(key) : compare.modifiedAt(key, expected)],
      success: this.unitWrites(unit, options.global, { dropGlobalCopy: !options.global }),
      failure: [op.get(key)],
    });
    if (!response.succeeded) throw this.unitWriteFailure(unit.name, response);
    return this.writtenUnit(unit, options.global, response);
  }

  async setTargetState(
    name: string,
    targetState: TargetState,
    expectedModRevision?: string,
  ): Promise<UnitEntry> {
    const attempts = expectedModRevision === undefined ? SET_TARGET_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.getUnit(name);
      if (current === undefined) throw new UnitNotFoundError(name);
      const read = expectedModRevision ?? current.modRevision;
      if (current.modRevision !== read) {
        throw new CasConflictError(
          `unit ${name} changed (revision ${current.modRevision}, expected ${read})`,
        );
      }
      // No write when nothing changes: a write would wake the engine and the unit's agents.
      if (current.unit.targetState === targetState) return current;
      const unit: UnitRecord = { ...current.unit, targetState };
      const response = await this.txn('set target state', {
        compare: [compare.modifiedAt(this.keys.unit(name), read)],
        success: this.unitWrites(unit, current.global),
        failure: [op.get(this.keys.unit(name))],
      });
      if (response.succeeded) return this.writtenUnit(unit, current.global, response);
      const failure = this.unitWriteFailure(name, response);
      if (failure instanceof UnitNotFoundError || attempt >= attempts) throw failure;
      this.logger.debug('target state write lost a race; retrying', { unit: name, attempt });
    }
  }

  async destroyUnit(name: string): Promise<boolean> {
    const response = await this.txn('destroy unit', {
      compare: [],
      success: [op.delete(this.keys.unit(name)), op.delete(this.keys.global(name))],
    });
    return Number(response.responses[0]?.response_delete_range?.deleted ?? 0) > 0;
  }

  async getUnit(name: string): Promise<UnitEntry | undefined> {
    const kvs = await this.getKey('get unit', this.keys.unit(name));
    return this.decodeUnitKv(kvs);
  }

  async listUnits(): Promise<UnitEntry[]> {
    return this.list('list units', this.keys.unitsPrefix(), this.unitDecoder('unit'));
  }

  async listGlobalUnits(): Promise<UnitEntry[]> {
    return this.list('list global units', this.keys.globalsPrefix(), this.unitDecoder('global'));
  }

  // ---- machines (agents write, lease-bound) ---------------------------------------------

  async registerMachine(machine: MachineRecord, lease: LeaseRef): Promise<MachineEntry> {
    const key = this.keys.machine(machine.id);
    const value = encodeMachineRecord(machine);
    const put = op.put(key, value, lease.id);
    // Create, or update our own key; another lease holding the id is refused (fleet #615/#1241).
    const ifOurs = {
      compare: [compare.heldByLease(key, lease.id)],
      success: [put],
      failure: [op.get(key)],
    };
    const response = await this.txn('register machine', {
      compare: [compare.absent(key)],
      success: [put],
      failure: [{ request_txn: ifOurs }],
    });
    const nested = response.responses[0]?.response_txn;
    if (!response.succeeded && nested?.succeeded !== true) {
      const holder = nested === undefined ? undefined : rangeResult(nested, 0);
      throw new MachineExistsError(machine.id, holder?.lease ?? 'unknown');
    }
    return { machine, leaseId: lease.id, modRevision: response.header.revision };
  }

  async deregisterMachine(machineId: string, lease: LeaseRef): Promise<boolean> {
    const key = this.keys.machine(machineId);
    const response = await this.txn('deregister machine', {
      compare: [compare.heldByLease(key, lease.id)],
      success: [op.delete(key)],
    });
    return response.succeeded;
  }

  async listMachines(): Promise<MachineEntry[]> {
    return this.list('list machines', this.keys.machinesPrefix(), this.machineDecoder);
  }

  // ---- schedule and unschedulable reasons (the engine leader writes) ---------------------

  async listSchedule(machineId?: string): Promise<ScheduleEntry[]> {
    const prefix =
      machineId === undefined
        ? this.keys.schedulePrefix()
        : this.keys.machineSchedulePrefix(machineId);
    return this.list('list schedule', prefix, this.scheduleDecoder);
  }

  async applyScheduleChanges(
    changes: readonly ScheduleChange[],
    guard: FencingGuard,
    readRevision: string,
  ): Promise<ApplyResult> {
    const landed = new Array<boolean>(changes.length).fill(false);
    const committed: string[] = [];
    let applied = 0;
    let outcome: ApplyResult['outcome'] = 'applied';
    let rangeCompare = true;
    for (const stage of stagesOf(this.keys, changes)) {
      const batches: (readonly number[])[] = [];
      const packed = packStage(this.keys, changes, stage, readRevision, this.batchLimits(), rangeCompare);
      const result = await runTxnPipeline(recording(packed, batches), {
        send: (request) => this.txn('apply schedule changes', request),
        guard,
        maxInFlight: this.maxTxnsInFlight,
        targetLatencyMs: TXN_TARGET_LATENCY_MS,
      });
      result.revisions.forEach((revision, batch) => {
        if (revision === undefined) return;
        committed.push(revision);
        for (const index of batches[batch]!) landed[index] = true;
        applied += batches[batch]!.length;
      });
      if (result.outcome !== 'applied') {
        outcome = result.outcome;
        break;
      }
      // A schedule key this apply put would fail a later stage's range compare.
      if (stage.some((index) => changes[index]!.kind === 'schedule')) rangeCompare = false;
    }
    committed.sort(compareRevisions);
    return { outcome, applied, landed, revision: committed.at(-1) ?? readRevision, committed };
  }

  async listUnschedulable(): Promise<UnschedulableEntry[]> {
    const prefix = this.keys.unschedulablePrefix();
    return this.list('list unschedulable', prefix, this.unschedulableDecoder);
  }

  async getUnschedulable(name: string): Promise<UnschedulableEntry | undefined> {
    const key = this.keys.unschedulable(name);
    const kv = await this.getKey('get unschedulable', key);
    return kv === undefined ? undefined : this.decodeKv(kv, this.unschedulableDecoder);
  }

  // ---- unit states (agents write, lease-bound) -------------------------------------------

  async publishState(state: UnitStateRecord, lease: LeaseRef): Promise<void> {
    await this.publishStates([state], lease);
  }

  async publishStates(states: readonly UnitStateRecord[], lease: LeaseRef): Promise<void> {
    const writes = states.map((state) => [
      op.put(this.keys.state(state.name, state.machineId), encodeUnitStateRecord(state), lease.id),
    ]);
    const operation = states.length === 1 ? 'publish state' : 'publish states';
    for (const batch of this.packWrites(writes)) {
      await this.txn(operation, { success: batch.flatMap((i) => writes[i]!) });
    }
  }

  async deleteState(name: string, machineId: string): Promise<void> {
    try {
      await this.client.kv.deleteRange({ key: Buffer.from(this.keys.state(name, machineId)) });
    } catch (error) {
      throw toRegistryError(error, 'delete state');
    }
  }

  async listStates(name?: string): Promise<UnitStateEntry[]> {
    const prefix = name === undefined ? this.keys.statesPrefix() : this.keys.unitStatesPrefix(name);
    return this.list('list states', prefix, this.stateDecoder);
  }

  async statesOnLease(lease: LeaseRef, machineId: string): Promise<string[]> {
    let keys: Buffer[];
    try {
      keys = (await this.client.leaseClient.leaseTimeToLive({ ID: lease.id, keys: true })).keys ?? [];
    } catch (error) {
      throw toRegistryError(error, 'list the lease\'s keys');
    }
    const names: string[] = [];
    for (const key of keys) {
      const parsed = parseKey(this.keys, key.toString());
      if (parsed?.kind === 'state' && parsed.machineId === machineId) names.push(parsed.name);
    }
    return names.sort();
  }

  // ---- consistent reads -----------------------------------------------------------------

  async snapshot(): Promise<ClusterSnapshot> {
    return this.withCompactionRetry(async () => {
      const op = 'snapshot';
      const units = await this.readPrefix(op, this.keys.unitsPrefix(), this.unitDecoder('unit'));
      const at = units.revision; // every other read at the first one's revision
      const [schedule, machines, unschedulable] = await Promise.all([
        this.readPrefix(op, this.keys.schedulePrefix(), this.scheduleDecoder, at),
        this.readPrefix(op, this.keys.machinesPrefix(), this.machineDecoder, at),
        this.readPrefix(op, this.keys.unschedulablePrefix(), this.unschedulableDecoder, at),
      ]);
      return {
        revision: units.revision,
        units: units.entries,
        schedule: schedule.entries,
        machines: machines.entries,
        unschedulable: unschedulable.entries,
      };
    });
  }

  async currentRevision(): Promise<string> {
    try {
      // Counting one key costs etcd an index lookup; the header carries the store's revision.
      const response = await this.client.kv.range({ key: Buffer.from(this.keys.unitsPrefix()), count_only: true });
      return response.header.revision;
    } catch (error) {
      throw toRegistryError(error, 'read revision');
    }
  }

  async machineSnapshot(machineId: string): Promise<MachineSnapshot> {
    return this.withCompactionRetry(async () => {
      const op = 'machine snapshot';
      const ownPrefix = this.keys.machineSchedulePrefix(machineId);
      const schedule = await this.readPrefix(op, ownPrefix, this.scheduleDecoder);
      const globalsPrefix = this.keys.globalsPrefix();
      const at = schedule.revision;
      const globals = await this.readPrefix(op, globalsPrefix, this.unitDecoder('global'), at);
      return { revision: schedule.revision, schedule: schedule.entries, globals: globals.entries };
    });
  }

  async watchPrefix(
    target: WatchTarget,
    afterRevision: string | undefined,
    handler: WatchHandler,
  ): Promise<RegistryWatch> {
    const prefix = this.watchPrefixOf(target);
    const watch = new PrefixWatch({
      client: this.client,
      prefix,
      afterRevision,
      logger: this.logger.child({ watch: prefix }),
      handler,
      decodePut: (kv) => this.decodeWatchPut(target, kv),
      decodeDelete: (kv) => this.decodeWatchDelete(target, kv),
    });
    await watch.start();
    return watch;
  }

  async watchChanges(target: WatchTarget, afterRevision: string | undefined, handler: ChangeHandler): Promise<RegistryWatch> {
    const prefix = this.watchPrefixOf(target);
    const revisionOf = (kv: IKeyValue): string => kv.mod_revision;
    const watch = new PrefixWatch({
      client: this.client,
      prefix,
      afterRevision,
      logger: this.logger.child({ watch: prefix }),
      handler: { onEvent: (revision: string) => handler.onChange(revision), onResync: (reason) => handler.onResync(reason) },
      decodePut: revisionOf,
      decodeDelete: revisionOf,
    });
    await watch.start();
    return watch;
  }

  // ---- internals ------------------------------------------------------------------------

  private batchLimits(): ScheduleBatchLimits {
    return { maxTxnOps: this.maxTxnOps, maxTxnBytes: this.maxTxnBytes };
  }

  private async txn(operation: string, request: ITxnRequest): Promise<ITxnResponse> {
    try {
      return await this.client.kv.txn(request);
    } catch (error) {
      throw toRegistryError(error, operation);
    }
  }

  private async getKey(operation: string, key: string): Promise<IKeyValue | undefined> {
    try {
      const response = await this.client.kv.range({ key: Buffer.from(key) });
      return response.kvs[0];
    } catch (error) {
      throw toRegistryError(error, operation);
    }
  }

  /** Puts `units/<name>` and, for a Global unit, its `global/<name>` copy, in one txn. */
  private unitWrites(
    unit: UnitRecord,
    global: boolean,
    options = { dropGlobalCopy: false },
  ): IRequestOp[] {
    const value = encodeStoredUnit({ ...unit, global });
    const globalKey = this.keys.global(unit.name);
    return [
      op.put(this.keys.unit(unit.name), value),
      ...(global ? [op.put(globalKey, value)] : []),
      // A unit replaced by a non-Global version loses its copy.
      ...(options.dropGlobalCopy ? [op.delete(globalKey)] : []),
    ];
  }

  private async list<T>(operation: string, prefix: string, decode: KvDecoder<T>): Promise<T[]> {
    return (await this.readPrefix(operation, prefix, decode)).entries;
  }

  /**
   * Reads every key under `prefix` in pages of `pageSize`, all at one revision (the first page's
   * unless given), decoding page by page so a big keyspace is never held twice.
   */
  private async readPrefix<T>(
    operation: string,
    prefix: string,
    decode: KvDecoder<T>,
    revision?: string,
  ): Promise<{ revision: string; entries: T[] }> {
    const rangeEnd = prefixRangeEnd(prefix);
    const entries: T[] = [];
    let key = Buffer.from(prefix);
    let atRevision = revision;
    try {
      for (;;) {
        const response = await this.client.kv.range({
          key,
          range_end: rangeEnd,
          limit: this.pageSize,
          ...(atRevision === undefined ? {} : { revision: atRevision }),
        });
        atRevision ??= response.header.revision;
        for (const kv of response.kvs) {
          const entry = this.decodeKv(kv, decode);
          if (entry !== undefined) entries.push(entry);
        }
        const last = response.kvs.at(-1);
        if (!response.more || last === undefined) return { revision: atRevision, entries };
        key = Buffer.concat([last.key, ZERO]);
      }
    } catch (error) {
      if (isCompacted(error)) throw error;
      throw toRegistryError(error, operation);
    }
  }

  private async withCompactionRetry<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await read();
      } catch (error) {
        if (!isCompacted(error) || attempt >= SNAPSHOT_ATTEMPTS) {
          throw toRegistryError(error, 'snapshot');
        }
        this.logger.debug('snapshot revision compacted mid-read; reading again', { attempt });
      }
    }
  }

  private unitWriteFailure(name: string, response: ITxnResponse): Error {
    const existing = rangeResult(response, 0);
    return existing === undefined
      ? new UnitNotFoundError(name)
      : new CasConflictError(`unit ${name} changed (now at revision ${existing.mod_revision})`);
  }

  private writtenUnit(unit: UnitRecord, global: boolean, response: ITxnResponse): UnitEntry {
    return { unit: toUnitRecord(unit), global, modRevision: response.header.revision };
  }

  private decodeUnitKv(kv: IKeyValue | undefined): UnitEntry | undefined {
    return kv === undefined ? undefined : this.decodeKv(kv, this.unitDecoder('unit'));
  }

  /** Parses the key, then the value; anything foreign or corrupt is logged (once) and skipped. */
  private decodeKv<T>(kv: IKeyValue, decode: KvDecoder<T>): T | undefined {
    const key = kv.key.toString();
    const parsed = parseKey(this.keys, key);
    if (parsed === undefined) {
      this.reportBadRecord(kv, 'key outside the fleet layout');
      return undefined;
    }
    return decode(kv, parsed);
  }

  private reportBadRecord(kv: IKeyValue, error: string): void {
    const key = kv.key.toString();
    const id = `${key}@${kv.mod_revision}`;
    if (this.reportedBadKeys.has(id)) return;
    if (this.reportedBadKeys.size >= MAX_REMEMBERED_BAD_KEYS) this.reportedBadKeys.clear();
    this.reportedBadKeys.add(id);
    const modRevision = kv.mod_revision;
    this.logger.warn('skipping invalid registry record', { key, modRevision, error });
  }

  /** Decodes a value, checks the names inside it match the key, and reports failures. */
  private checked<V>(
    kv: IKeyValue,
    decoded: Decoded<V>,
    matches: (value: V) => boolean,
  ): V | undefined {
    if (!decoded.ok) {
      this.reportBadRecord(kv, decoded.error);
      return undefined;
    }
    if (!matches(decoded.value)) {
      this.reportBadRecord(kv, 'record does not match its key');
      return undefined;
    }
    return decoded.value;
  }

  private unitDecoder(kind: 'unit' | 'global'): KvDecoder<UnitEntry> {
    return (kv, key) => {
      if (key.kind !== kind) return this.wrongKind(kv, key);
      const decoded = decodeStoredUnit(kv.value.toString());
      const value = this.checked(kv, decoded, (v) => v.name === key.name);
      return value === undefined
        ? undefined
        : { unit: toUnitRecord(value), global: value.global, modRevision: kv.mod_revision };
    };
  }

  private readonly scheduleDecoder: KvDecoder<ScheduleEntry> = (kv, key) => {
    if (key.kind !== 'schedule') return this.wrongKind(kv, key);
    const decoded = decodeScheduledUnit(kv.value.toString());
    const value = this.checked(kv, decoded, (v) => v.name === key.name);
    if (value === undefined) return undefined;
    return { machineId: key.machineId, unit: value, modRevision: kv.mod_revision };
  };

  private readonly machineDecoder: KvDecoder<MachineEntry> = (kv, key) => {
    if (key.kind !== 'machine') return this.wrongKind(kv, key);
    const decoded = decodeMachineRecord(kv.value.toString());
    const value = this.checked(kv, decoded, (v) => v.id === key.machineId);
    if (value === undefined) return undefined;
    return { machine: value, leaseId: kv.lease, modRevision: kv.mod_revision };
  };

  private readonly stateDecoder: KvDecoder<UnitStateEntry> = (kv, key) => {
    if (key.kind !== 'state') return this.wrongKind(kv, key);
    const value = this.checked(
      kv,
      decodeUnitStateRecord(kv.value.toString()),
      (v) => v.name === key.name && v.machineId === key.machineId,
    );
    if (value === undefined) return undefined;
    return { state: value, leaseId: kv.lease, modRevision: kv.mod_revision };
  };

  private readonly unschedulableDecoder: KvDecoder<UnschedulableEntry> = (kv, key) => {
    if (key.kind !== 'unschedulable') return this.wrongKind(kv, key);
    const decoded = decodeUnschedulableRecord(kv.value.toString());
    const value = this.checked(kv, decoded, (v) => v.name === key.name);
    return value === undefined ? undefined : { record: value, modRevision: kv.mod_revision };
  };

  private wrongKind(kv: IKeyValue, key: ParsedKey): undefined {
    this.reportBadRecord(kv, `unexpected ${key.kind} key here`);
    return undefined;
  }

  private watchPrefixOf(target: WatchTarget): string {
    switch (target.kind) {
      case 'units':
        return this.keys.unitsPrefix();
      case 'global':
        return this.keys.globalsPrefix();
      case 'machines':
        return this.keys.machinesPrefix();
      case 'schedule':
        return target.machineId === undefined
          ? this.keys.schedulePrefix()
          : this.keys.machineSchedulePrefix(target.machineId);
      case 'states':
        return target.name === undefined ? this.keys.statesPrefix() : this.keys.unitStatesPrefix(target.name);
    }
  }

  private decodeWatchPut(target: WatchTarget, kv: IKeyValue): RegistryEvent | undefined {
    const revision = kv.mod_revision;
    switch (target.kind) {
      case 'units':
      case 'global': {
        const decoder = this.unitDecoder(target.kind === 'units' ? 'unit' : 'global');
        const entry = this.decodeKv(kv, decoder);
        if (entry === undefined) return undefined;
        return { kind: target.kind, type: 'put', revision, entry };
      }
      case 'machines': {
        const entry = this.decodeKv(kv, this.machineDecoder);
        return entry === undefined ? undefined : { kind: 'machines', type: 'put', revision, entry };
      }
      case 'schedule': {
        const entry = this.decodeKv(kv, this.scheduleDecoder);
        return entry === undefined ? undefined : { kind: 'schedule', type: 'put', revision, entry };
      }
      case 'states': {
        const entry = this.decodeKv(kv, this.stateDecoder);
        return entry === undefined ? undefined : { kind: 'states', type: 'put', revision, entry };
      }
    }
  }

  private decodeWatchDelete(target: WatchTarget, kv: IKeyValue): RegistryEvent | undefined {
    const revision = kv.mod_revision;
    const key = parseKey(this.keys, kv.key.toString());
    if (key === undefined) return undefined;
    switch (target.kind) {
      case 'units':
        return key.kind === 'unit'
          ? { kind: 'units', type: 'delete', revision, name: key.name }
          : undefined;
      case 'global':
        return key.kind === 'global'
          ? { kind: 'global', type: 'delete', revision, name: key.name }
          : undefined;
      case 'machines':
        return key.kind === 'machine'
          ? { kind: 'machines', type: 'delete', revision, machineId: key.machineId }
          : undefined;
      case 'schedule':
        return key.kind === 'schedule'
          ? { kind: 'schedule', type: 'delete', revision, machineId: key.machineId, name: key.name }
          : undefined;
      case 'states':
        return key.kind === 'state'
          ? { kind: 'states', type: 'delete', revision, machineId: key.machineId, name: key.name }
          : undefined;
    }
  }
}

/** Passes batches through, noting which changes each one carries. */
function* recording(batches: Iterable<ScheduleBatch>, carried: (readonly number[])[]): Generator<ScheduleBatch> {
  for (const batch of batches) {
    carried.push(batch.carried);
    yield batch;
  }
}

function compareRevisions(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function toUnitRecord(unit: UnitRecord): UnitRecord {
  const { name, hash, contents, targetState } = unit;
  return { name, hash, contents, targetState };
}
