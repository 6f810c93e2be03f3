/**
 * How many txns the schedule pipeline keeps in flight. etcd commits concurrent txns together,
 * but applies them one by one; a deep pipeline builds a backlog of committed, unapplied txns,
 * and the etcd leader answers a lease keepalive only once it has applied everything committed.
 * At 1,000 × 100,000 with 32 txns always in flight the agents' keepalives failed
 * and their leases expired. So the window follows the latency of the answers (additive increase,
 * multiplicative decrease): it grows by one while txns come back within `targetMs`, and halves
 * (once per round) when one takes longer — the backlog stays near `targetMs` of etcd's work.
 */
export class FlightWindow {
  private window: number;
  /** Sends counted so far; a slow answer to a txn sent before the last cut does not cut again. */
  private sends = 0;
  private cutAt = 0;

  constructor(
    private readonly max: number,
    private readonly targetMs: number,
    initial = Math.min(8, max),
  ) {
    this.window = Math.max(1, initial);
  }

  size(): number {
    return Math.floor(this.window);
  }

  /** Call when a txn is sent; returns its sequence number for `answered`. */
  sent(): number {
    return ++this.sends;
  }

  answered(sequence: number, latencyMs: number): void {
    if (latencyMs <= this.targetMs) {
      this.window = Math.min(this.max, this.window + 1);
    } else if (sequence > this.cutAt) {
      this.window = Math.max(1, this.window / 2);
      this.cutAt = this.sends;
    }
  }
}
