import { encodeScheduledUnit, encodeUnschedulableRecord, type Keyspace } from '@fleet/core';
import type { ICompare, IRequestOp } from 'etcd3';
import { compare, op, opSize } from './etcd-ops.js';
import type { ScheduleChange } from './registry.js';
import type { PipelinedBatch } from './txn-pipeline.js';

/**
 * Turns the engine's schedule changes into guarded txns: split into stages (a change marked
 * `afterEarlier` starts one), each stage packed in key order into txns within etcd's limits.
 *
 * Key order serves two ends. One machine's changes sit together, so its compare (`machines/m`
 * exists or unchanged) is made once per txn rather than once per change. And each txn's schedule
 * keys form a run no other txn of the stage overlaps, so "every schedule key I write is unchanged
 * since the read" becomes one range compare over the run — stronger than a compare per key (it
 * also covers the keys between), and a txn then carries up to 127 changes instead of ~42. The
 * range compare is used only while no earlier stage of the same apply has put a schedule key
 * (such a put would fail it, though nothing changed under the plan); later stages compare key
 * by key.
 */
export interface ScheduleBatchLimits {
  /** etcd's --max-txn-ops: compares and ops per txn, counted separately. */
  readonly maxTxnOps: number;
  /** Bytes of values per txn, under etcd's --max-request-bytes. */
  readonly maxTxnBytes: number;
}

export interface ScheduleBatch extends PipelinedBatch {
  /** Indices (into the changes) of the changes this txn carries. */
  readonly carried: readonly number[];
}

interface LazyCompare {
  readonly id: string;
  readonly compare: () => ICompare;
}

interface ChangeRequest {
  readonly write: IRequestOp;
  readonly key: string;
  /** The schedule key that must be unchanged since the read (absent for engine records). */
  readonly unchanged?: string;
  readonly compares: readonly LazyCompare[];
}

/** Change indices by stage, each stage in key order. */
export function stagesOf(keys: Keyspace, changes: readonly ScheduleChange[]): number[][] {
  const stages: number[][] = [];
  let stage: number[] = [];
  changes.forEach((change, index) => {
    if (change.afterEarlier === true && stage.length > 0) {
      stages.push(stage);
      stage = [];
    }
    stage.push(index);
  });
  if (stage.length > 0) stages.push(stage);
  return stages.map((indices) =>
    indices
      .map((index) => ({ index, key: writeKey(keys, changes[index]!) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index))
      .map(({ index }) => index),
  );
}

/**
 * One stage's txns (the guard compare not included: the budget leaves room for it). A generator:
 * each txn is built just before it is sent, so 100,000 changes never exist as requests at once.
 */
export function* packStage(
  keys: Keyspace,
  changes: readonly ScheduleChange[],
  stage: readonly number[],
  readRevision: string,
  limits: ScheduleBatchLimits,
  rangeCompare: boolean,
): Generator<ScheduleBatch> {
  const budget = limits.maxTxnOps - 1 - (rangeCompare ? 1 : 0); // the guard, the range compare
  let compares: ICompare[] = [];
  let ops: IRequestOp[] = [];
  let carried: number[] = [];
  let compareIds = new Set<string>();
  let written = new Set<string>();
  let size = 0;
  let first: string | undefined;
  let last: string | undefined;
  const batch = (): ScheduleBatch => {
    if (rangeCompare && first !== undefined) compares.push(compare.rangeUnchangedSince(first, last!, readRevision));
    return { compares, ops, carried };
  };
  for (const index of stage) {
    const request = changeRequest(keys, changes[index]!, readRevision);
    const own = rangeCompare || request.unchanged === undefined ? request.compares : [...request.compares, unchangedCompare(request.unchanged, readRevision)];
    let fresh = 0;
    for (const c of own) if (!compareIds.has(c.id)) fresh += 1;
    const fits =
      carried.length === 0 ||
      (compares.length + fresh <= budget &&
        ops.length + 1 <= limits.maxTxnOps &&
        size + opSize(request.write) <= limits.maxTxnBytes &&
        !written.has(request.key));
    if (!fits) {
      yield batch();
      compares = [];
      ops = [];
      carried = [];
      compareIds = new Set();
      written = new Set();
      size = 0;
      first = last = undefined;
    }
    for (const c of own) {
      if (compareIds.has(c.id)) continue;
      compareIds.add(c.id);
      compares.push(c.compare());
    }
    if (request.unchanged !== undefined) {
      if (first === undefined || request.unchanged < first) first = request.unchanged;
      if (last === undefined || request.unchanged > last) last = request.unchanged;
    }
    ops.push(request.write);
    carried.push(index);
    written.add(request.key);
    size += opSize(request.write);
  }
  if (carried.length > 0) yield batch();
}

function unchangedCompare(key: string, readRevision: string): LazyCompare {
  return { id: `unchanged ${key}`, compare: () => compare.unchangedSince(key, readRevision) };
}

function writeKey(keys: Keyspace, change: ScheduleChange): string {
  switch (change.kind) {
    case 'schedule':
      return keys.schedule(change.machineId, change.unit.name);
    case 'unschedule':
      return keys.schedule(change.machineId, change.name);
    case 'mark-unschedulable':
      return keys.unschedulable(change.record.name);
    case 'clear-unschedulable':
      return keys.unschedulable(change.name);
  }
}

/**
 * One change as a write and its compares. A compare comes as an identity (what it checks, as a
 * string) and a builder, so the ones a txn already has are deduplicated without being built.
 */
function changeRequest(keys: Keyspace, change: ScheduleChange, readRevision: string): ChangeRequest {
  switch (change.kind) {
    case 'schedule': {
      const key = keys.schedule(change.machineId, change.unit.name);
      const unitKey = keys.unit(change.unit.name);
      const machineKey = keys.machine(change.machineId);
      return {
        key,
        unchanged: key,
        write: op.put(key, encodeScheduledUnit(change.unit)),
        compares: [
          { id: `mod ${change.unitRevision} ${unitKey}`, compare: () => compare.modifiedAt(unitKey, change.unitRevision) },
          { id: `exists ${machineKey}`, compare: () => compare.exists(machineKey) },
        ],
      };
    }
    case 'unschedule': {
      const key = keys.schedule(change.machineId, change.name);
      const machineKey = keys.machine(change.machineId);
      // A machine that registered again since the read keeps its units (its agent may have
      // re-read its schedule already): re-plan instead.
      return {
        key,
        unchanged: key,
        write: op.delete(key),
        compares: [{ id: `unchanged ${machineKey}`, compare: () => compare.unchangedSince(machineKey, readRevision) }],
      };
    }
    case 'mark-unschedulable': {
      const key = keys.unschedulable(change.record.name);
      return { key, write: op.put(key, encodeUnschedulableRecord(change.record)), compares: [] };
    }
    case 'clear-unschedulable': {
      const key = keys.unschedulable(change.name);
      return { key, write: op.delete(key), compares: [] };
    }
  }
}
