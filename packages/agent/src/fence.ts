/**
 * Self-fencing (docs/reliability.md): when the agent's lease is lost while etcd may still be
 * serving the others, the engine may move this machine's units at any moment, so the agent stops
 * them before etcd expires the lease. Pure: which containers to stop.
 */
export interface FenceCandidate {
  readonly id: string;
  readonly unit: string;
  readonly running: boolean;
}

export const FENCE_REASON = 'lease lost: the engine may reschedule this unit elsewhere';

/**
 * Every running fleet container except those of Global units, which run on every matching
 * machine and are never rescheduled, so stopping them would only cause an outage. Sorted by
 * unit, then id.
 */
export function containersToFence<T extends FenceCandidate>(containers: readonly T[], globalUnits: ReadonlySet<string>): T[] {
  return containers
    .filter((c) => c.running && !globalUnits.has(c.unit))
    .sort((a, b) => (a.unit === b.unit ? (a.id < b.id ? -1 : 1) : a.unit < b.unit ? -1 : 1));
}
