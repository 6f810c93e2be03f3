import {
  DEFAULT_KEY_PREFIX,
  buildKeyspace,
  decodeMachineRecord,
  decodeScheduledUnit,
  decodeStoredUnit,
  decodeUnitStateRecord,
  decodeUnschedulableRecord,
  encodeMachineRecord,
  encodeScheduledUnit,
  encodeStoredUnit,
  encodeUnitStateRecord,
  encodeUnschedulableRecord,
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
import type { ICompare, IKeyValue, IRequestOp, ITxnRequest, ITxnResponse } from 'etcd3';
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
import type {
  ApplyResult,
  ClusterSnapshot,
  FencingGuard,
  LeaseRef,
  MachineEntry,
  MachineSnapshot,
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
}

const SET_TARGET_ATTEMPTS = 5;
const SNAPSHOT_ATTEMPTS = 3;
const ZERO = Buffer.from([0]);
/** Keys whose bad value we already logged (bounded: cleared when full). */
const MAX_REMEMBERED_BAD_KEYS = 1_000;

type KvDecoder<T> = (kv: IKeyValue, key: ParsedKey) => T | undefined;

/** Changes packed into one txn: their compares (deduplicated) and writes. */
interface TxnBatch {
  readonly compares: ICompare[];
  readonly ops: IRequestOp[];
  count: number;
}

interface LazyCompare {
  readonly id: string;
  readonly compare: () => ICompare;
}

export class EtcdRegistry implements Registry {
  readonly keys: Keyspace;
  private readonly client: EtcdClient;
  private readonly logger: Logger;
  private readonly pageSize: number;
  private readonly maxTxnOps: number;
  private readonly maxTxnBytes: number;
  private readonly reportedBadKeys = new Set<string>();

  constructor(options: EtcdRegistryOptions) {
    this.client = options.client;
    this.logger = options.logger.child({ component: 'registry' });
    this.keys = buildKeyspace(options.prefix ?? DEFAULT_KEY_PREFIX);
    this.pageSize = options.pageSize ?? 5_000;
    this.maxTxnOps = options.maxTxnOps ?? 128;
    this.maxTxnBytes = options.maxTxnBytes ?? 1_000_000;
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
    const guardCompare = compare.createdAt(guard.key, guard.createRevision);
    let applied = 0;
    let revision = readRevision;
    const committed: string[] = [];
    for (const batch of this.packChanges(changes, readRevision)) {
      const response = await this.txn('apply schedule changes', {
        compare: [guardCompare, ...batch.compares],
        success: batch.ops,
        failure: [op.get(guard.key)],
      });
      if (!response.succeeded) {
        const stillLeader = rangeResult(response, 0)?.create_revision === guard.createRevision;
        return { outcome: stillLeader ? 'conflict' : 'not-leader', applied, revision, committed };
      }
      applied += batch.count;
      revision = response.header.revision;
      committed.push(revision);
    }
    return { outcome: 'applied', applied, revision, committed };
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
    const key = Buffer.from(this.keys.state(state.name, state.machineId));
    const value = Buffer.from(encodeUnitStateRecord(state));
    try {
      await this.client.kv.put({ key, value, lease: lease.id });
    } catch (error) {
      throw toRegistryError(error, 'publish state');
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

  // ---- internals ------------------------------------------------------------------------

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

  /**
   * Splits changes into txns within etcd's op and size limits, keeping their order. A generator:
   * each txn is built just before it is sent, so 100,000 changes never exist as requests at once.
   */
  private *packChanges(changes: readonly ScheduleChange[], readRevision: string): Generator<TxnBatch> {
    let current: TxnBatch = { compares: [], ops: [], count: 0 };
    let compareIds = new Set<string>();
    let keys = new Set<string>();
    let size = 0;
    const budget = this.maxTxnOps - 1; // the guard compare
    for (const change of changes) {
      const { compares, write, key } = this.changeRequest(change, readRevision);
      let fresh = 0;
      for (const c of compares) if (!compareIds.has(c.id)) fresh += 1;
      const fits =
        current.count === 0 ||
        (current.compares.length + fresh <= budget &&
          current.ops.length + 1 <= this.maxTxnOps &&
          size + opSize(write) <= this.maxTxnBytes &&
          !keys.has(key));
      if (!fits) {
        yield current;
        current = { compares: [], ops: [], count: 0 };
        compareIds = new Set();
        keys = new Set();
        size = 0;
      }
      for (const c of compares) {
        if (compareIds.has(c.id)) continue;
        compareIds.add(c.id);
        current.compares.push(c.compare());
      }
      current.ops.push(write);
      current.count += 1;
      keys.add(key);
      size += opSize(write);
    }
    if (current.count > 0) yield current;
  }

  /**
   * One change as a write and its compares. A compare comes as an identity (what it checks, as a
   * string) and a builder, so the ones a txn already has are deduplicated without being built.
   */
  private changeRequest(
    change: ScheduleChange,
    readRevision: string,
  ): { compares: LazyCompare[]; write: IRequestOp; key: string } {
    switch (change.kind) {
      case 'schedule': {
        const key = this.keys.schedule(change.machineId, change.unit.name);
        const unitKey = this.keys.unit(change.unit.name);
        const machineKey = this.keys.machine(change.machineId);
        return {
          key,
          write: op.put(key, encodeScheduledUnit(change.unit)),
          compares: [
            { id: `unchanged ${key}`, compare: () => compare.unchangedSince(key, readRevision) },
            { id: `mod ${change.unitRevision} ${unitKey}`, compare: () => compare.modifiedAt(unitKey, change.unitRevision) },
            { id: `exists ${machineKey}`, compare: () => compare.exists(machineKey) },
          ],
        };
      }
      case 'unschedule': {
        const key = this.keys.schedule(change.machineId, change.name);
        const machineKey = this.keys.machine(change.machineId);
        // a machine that registered again since the read keeps its units (its agent may
        // have re-read its schedule already): re-plan instead.
        const compares = [
          { id: `unchanged ${key}`, compare: () => compare.unchangedSince(key, readRevision) },
          { id: `unchanged ${machineKey}`, compare: () => compare.unchangedSince(machineKey, readRevision) },
        ];
        return { key, write: op.delete(key), compares };
      }
      case 'mark-unschedulable': {
        const key = this.keys.unschedulable(change.record.name);
        return { key, write: op.put(key, encodeUnschedulableRecord(change.record)), compares: [] };
      }
      case 'clear-unschedulable': {
        const key = this.keys.unschedulable(change.name);
        return { key, write: op.delete(key), compares: [] };
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
        return this.keys.statesPrefix();
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

function toUnitRecord(unit: UnitRecord): UnitRecord {
  const { name, hash, contents, targetState } = unit;
  return { name, hash, contents, targetState };
}
