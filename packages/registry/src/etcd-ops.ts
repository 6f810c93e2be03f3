import { CompareResult, CompareTarget } from 'etcd3';
import type { ICompare, IKeyValue, IRequestOp, ITxnResponse } from 'etcd3';

/**
 * Small builders for raw etcd v3 requests. The registry talks to etcd3's `kv` client directly so
 * it controls paging (limit + fixed revision), nested txns and the exact compares.
 */

const bytes = (key: string): Buffer => Buffer.from(key);

/** First key after every key that starts with `prefix` (etcd's range_end for a prefix). */
export function prefixRangeEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i -= 1) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // all 0xff: to the end of the keyspace
}

export function nextRevision(revision: string): string {
  return (BigInt(revision) + 1n).toString();
}

export const compare = {
  /** The key does not exist. */
  absent: (key: string): ICompare => ({
    key: bytes(key),
    target: CompareTarget.Create,
    result: CompareResult.Equal,
    create_revision: 0,
  }),
  exists: (key: string): ICompare => ({
    key: bytes(key),
    target: CompareTarget.Version,
    result: CompareResult.Greater,
    version: 0,
  }),
  createdAt: (key: string, revision: string): ICompare => ({
    key: bytes(key),
    target: CompareTarget.Create,
    result: CompareResult.Equal,
    create_revision: revision,
  }),
  modifiedAt: (key: string, revision: string): ICompare => ({
    key: bytes(key),
    target: CompareTarget.Mod,
    result: CompareResult.Equal,
    mod_revision: revision,
  }),
  /** Unchanged since a read at `revision` (an absent key has mod revision 0, so it passes). */
  unchangedSince: (key: string, revision: string): ICompare => ({
    key: bytes(key),
    target: CompareTarget.Mod,
    result: CompareResult.Less,
    mod_revision: nextRevision(revision),
  }),
  /** Every key in [first, last] unchanged since a read at `revision` (absent keys pass). */
  rangeUnchangedSince: (first: string, last: string, revision: string): ICompare => ({
    key: bytes(first),
    range_end: Buffer.concat([bytes(last), Buffer.from([0])]),
    target: CompareTarget.Mod,
    result: CompareResult.Less,
    mod_revision: nextRevision(revision),
  }),
  heldByLease: (key: string, leaseId: string): ICompare => ({
    key: bytes(key),
    target: CompareTarget.Lease,
    result: CompareResult.Equal,
    lease: leaseId,
  }),
};

export const op = {
  put: (key: string, value: string, leaseId?: string): IRequestOp => ({
    request_put: {
      key: bytes(key),
      value: Buffer.from(value),
      ...(leaseId === undefined ? {} : { lease: leaseId }),
    },
  }),
  delete: (key: string): IRequestOp => ({ request_delete_range: { key: bytes(key) } }),
  get: (key: string): IRequestOp => ({ request_range: { key: bytes(key) } }),
};

/** The first key-value of the range response at `index` of a txn's responses. */
export function rangeResult(response: ITxnResponse, index: number): IKeyValue | undefined {
  return response.responses[index]?.response_range?.kvs[0];
}

/** Rough request size of an op, for packing txns under etcd's request size limit. */
export function opSize(request: IRequestOp): number {
  const put = request.request_put;
  if (put !== undefined) return (put.key?.length ?? 0) + (put.value?.length ?? 0) + 16;
  const key = request.request_delete_range?.key ?? request.request_range?.key;
  return (key?.length ?? 0) + 16;
}

export function isCompacted(error: unknown): boolean {
  return error instanceof Error && /compacted/i.test(error.message);
}
