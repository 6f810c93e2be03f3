/**
 * Turns a series of observations into windows during which something that must not happen did
 * (a unit on two machines, two conflicting units on one machine). Observations are discrete, so a
 * window's true length lies between `seenMs` (first to last observation showing it: a lower bound)
 * and `spanMs` (first showing it to first not showing it: an upper bound); the gap between the two
 * is at most one observation interval. Observations may be *excused* — a machine involved had its
 * fleetd killed or frozen, the documented "not guaranteed" cases — and the bound applies to the
 * longest unexcused stretch, measured as a lower bound, so that a slow observation (a loaded box)
 * can never turn a short overlap into a violation.
 */

export interface Overlap {
  /** Machines involved, by name. */
  readonly machines: readonly string[];
  readonly excused: boolean;
}

export interface OverlapWindow {
  readonly key: string;
  /** Every machine involved at some point, sorted. */
  readonly machines: readonly string[];
  /** The first observation showing it. */
  readonly start: number;
  /** The last observation showing it. */
  readonly lastSeen: number;
  /** The first observation without it (undefined while still open). */
  readonly end: number | undefined;
  /** Longest run of consecutive unexcused observations, first to last (0: excused throughout, or seen once). */
  readonly longestUnexcusedMs: number;
  readonly excusedAtAnyPoint: boolean;
}

interface OpenWindow {
  machines: Set<string>;
  start: number;
  lastSeen: number;
  unexcusedSince: number | undefined;
  longestUnexcusedMs: number;
  excusedAtAnyPoint: boolean;
}

export class OverlapTracker {
  private readonly open = new Map<string, OpenWindow>();
  private readonly closed: OverlapWindow[] = [];

  /** Records one observation at `at` (non-decreasing): every overlap it shows, by key. */
  observe(at: number, overlaps: ReadonlyMap<string, Overlap>): void {
    for (const [key, window] of this.open) {
      if (overlaps.has(key)) continue;
      this.closed.push(snapshot(key, window, at));
      this.open.delete(key);
    }
    for (const [key, overlap] of overlaps) {
      const window = this.open.get(key) ?? { machines: new Set<string>(), start: at, lastSeen: at, unexcusedSince: undefined, longestUnexcusedMs: 0, excusedAtAnyPoint: false };
      this.open.set(key, window);
      for (const m of overlap.machines) window.machines.add(m);
      window.lastSeen = at;
      if (overlap.excused) {
        window.excusedAtAnyPoint = true;
        window.unexcusedSince = undefined;
      } else {
        window.unexcusedSince ??= at;
        window.longestUnexcusedMs = Math.max(window.longestUnexcusedMs, at - window.unexcusedSince);
      }
    }
  }

  /** Every window, by start (then key); those still open last seen at their latest observation. */
  windows(): OverlapWindow[] {
    const open = [...this.open].map(([key, w]) => snapshot(key, w, undefined));
    return [...this.closed, ...open].sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Windows whose longest unexcused stretch exceeds `boundMs`. */
  exceeding(boundMs: number): OverlapWindow[] {
    return this.windows().filter((w) => w.longestUnexcusedMs > boundMs);
  }
}

function snapshot(key: string, w: OpenWindow, end: number | undefined): OverlapWindow {
  return {
    key,
    machines: [...w.machines].sort(),
    start: w.start,
    lastSeen: w.lastSeen,
    end,
    longestUnexcusedMs: w.longestUnexcusedMs,
    excusedAtAnyPoint: w.excusedAtAnyPoint,
  };
}

/** At least this long: first to last observation showing it. */
export function seenMs(w: OverlapWindow): number {
  return w.lastSeen - w.start;
}

/** At most this long (if closed): first observation showing it to the first not showing it. */
export function spanMs(w: OverlapWindow): number | undefined {
  return w.end === undefined ? undefined : w.end - w.start;
}
