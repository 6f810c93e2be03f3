/**
 * Telling "etcd is down for everyone" from "we are cut off" (docs/reliability.md). Pure.
 *
 * An agent whose keepalives go unanswered cannot know in general which of the two it is, but the
 * way etcd's endpoints fail tells: a member whose host refuses the connection (no etcd listens)
 * or that answers "no leader" can neither renew nor expire any lease, and etcd refreshes every
 * lease when a leader is elected again. Timeouts and silence prove nothing: they are what a
 * partition looks like.
 */

/** What one probe of one etcd client endpoint found. */
export type EndpointProbe =
  /** etcd answered its health check: it has a leader and serves. */
  | 'serving'
  /** etcd answered, unhealthy (no leader): it can expire no lease now. */
  | 'no-leader'
  /** The host refused the connection: no etcd listens there. */
  | 'refused'
  /** The connection was accepted but nothing answered (starting up, frozen, overloaded). */
  | 'silent'
  /** No connection at all (timeout, unreachable host): what a partition looks like. */
  | 'unreachable';

/**
 * Whether etcd as a whole is down, so that no lease can expire now: every endpoint refused, has
 * no leader, or is silent — with at least one refusing or leaderless, or an outage already
 * established (`wasDown`). Silence alone proves nothing: a frozen etcd expires leases as soon as
 * it wakes. Beside a dead or leaderless member it is what the survivors look like while they
 * elect a new leader (which refreshes every lease), and after an outage it is what a restarting
 * etcd looks like before it serves. One serving or unreachable endpoint, and etcd may be up for
 * others: not down.
 */
export function isEtcdDown(probes: readonly EndpointProbe[], wasDown: boolean): boolean {
  if (probes.length === 0) return false;
  const cannotServe = probes.every((p) => p === 'refused' || p === 'no-leader' || p === 'silent');
  return cannotServe && (wasDown || probes.some((p) => p === 'refused' || p === 'no-leader'));
}

/**
 * When the lease holder must consider its lease lost (epoch ms). etcd expires a lease no sooner
 * than TTL after it last renewed it, and it renewed it no sooner than we sent the keepalive it
 * answered; while etcd is down it renews and expires nothing, and a newly elected leader
 * refreshes every lease to a full TTL. So the lease cannot expire before TTL after the later of
 * the two: the last answered keepalive's send time, and the last moment etcd was seen down.
 */
export function leaseFenceAt(lastRenewedAt: number, lastEtcdDownAt: number, ttlMs: number): number {
  return Math.max(lastRenewedAt, lastEtcdDownAt) + ttlMs;
}
