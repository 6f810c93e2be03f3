import type { ICompare, IRequestOp, ITxnRequest, ITxnResponse } from 'etcd3';
import { compare, op, rangeResult } from './etcd-ops.js';
import { FlightWindow } from './flight-window.js';

/**
 * Sends guarded txns with several in flight. Waiting for each answer before sending the next
 * leaves etcd idle for a round trip per txn; with several in flight it commits them together
 * (one raft batch, one fsync).
 *
 * etcd evaluates concurrent requests in whatever order they reach its raft log, so the txns of
 * one pipeline must not depend on each other: any subset of them may land. (Chaining each txn
 * to its predecessor by a compare was tried: etcd reorders even two txns sent back to back a
 * third of the time, and each reordered txn had to be sent again.) After the first failure no
 * further txn is sent; those already in flight are awaited, so nothing lands after this returns.
 */
export interface PipelinedBatch {
  readonly compares: readonly ICompare[];
  readonly ops: readonly IRequestOp[];
}

export interface TxnPipelineOptions {
  readonly send: (request: ITxnRequest) => Promise<ITxnResponse>;
  /** The fencing guard: compared in every txn, its key read back when one fails. */
  readonly guard: { readonly key: string; readonly createRevision: string };
  readonly maxInFlight: number;
  /** Answers slower than this shrink the number in flight (see FlightWindow). */
  readonly targetLatencyMs: number;
}

export interface TxnPipelineResult {
  readonly outcome: 'applied' | 'conflict' | 'not-leader';
  /** Per batch sent: the revision it committed at, or undefined if it did not land. */
  readonly revisions: readonly (string | undefined)[];
}

export async function runTxnPipeline(
  batches: Iterable<PipelinedBatch>,
  options: TxnPipelineOptions,
): Promise<TxnPipelineResult> {
  const { guard } = options;
  const guardCompare = compare.createdAt(guard.key, guard.createRevision);
  const failure = [op.get(guard.key)];
  const revisions: (string | undefined)[] = [];
  const sent: Promise<void>[] = [];
  const inFlight = new Set<Promise<void>>();
  let outcome: 'applied' | 'conflict' | 'not-leader' = 'applied';
  let error = false;

  const window = new FlightWindow(options.maxInFlight, options.targetLatencyMs);

  async function land(index: number, batch: PipelinedBatch): Promise<void> {
    const sequence = window.sent();
    const started = performance.now();
    const response = await options.send({ compare: [guardCompare, ...batch.compares], success: [...batch.ops], failure });
    window.answered(sequence, performance.now() - started);
    if (response.succeeded) {
      revisions[index] = response.header.revision;
    } else if (rangeResult(response, 0)?.create_revision === guard.createRevision) {
      if (outcome === 'applied') outcome = 'conflict';
    } else {
      outcome = 'not-leader';
    }
  }

  for (const batch of batches) {
    while (inFlight.size >= window.size()) await Promise.race(inFlight);
    if (outcome !== 'applied' || error) break;
    const index = revisions.length;
    revisions.push(undefined);
    const attempt = land(index, batch);
    sent.push(attempt);
    const settled: Promise<void> = attempt.then(
      () => void inFlight.delete(settled),
      () => {
        error = true;
        inFlight.delete(settled);
      },
    );
    inFlight.add(settled);
  }
  const results = await Promise.allSettled(sent);
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
  return { outcome, revisions };
}
