import { type Overlap, OverlapTracker, type OverlapWindow } from './overlap-windows.js';

/**
 * Pure decisions about a machine's dockerd that stops answering (an environment failure of that
 * host, not a fleet bug; docs/reliability.md "Chaos results"): what a health probe's outcome
 * means, which overlap windows a hang covers, and the hangs' summary. The probe loop itself is
 * docker-probe.ts.
 */

/**
 * One health probe of a machine's dockerd: `answered` (even with an error such as a container
 * removed meanwhile: the daemon replied), `failed` (no connection: a dead daemon, which the exit
 * watch reports) or `no-answer` (nothing within the probe timeout).
 */
export type ProbeOutcome = 'answered' | 'failed' | 'no-answer';

export interface ProbeFacts {
  readonly outcome: ProbeOutcome;
  /** When the probe ended, the machine's dockerd was still the one probed. */
  readonly sameDaemon: boolean;
  /** When the probe ended, the machine's host was down (being killed or restarted by a fault). */
  readonly hostDown: boolean;
  /** That dockerd is already recorded as hung (only its replacement ends a hang). */
  readonly alreadyHung: boolean;
}

/** `hung`: record a hang from the probe's start; `healthy`: it answered; `ignore`: says nothing about the current dockerd. */
export type ProbeVerdict = 'hung' | 'healthy' | 'ignore';

export function judgeProbe(p: ProbeFacts): ProbeVerdict {
  // A host killed or replaced while the probe waited: the silence was the old daemon's death.
  if (p.hostDown || !p.sameDaemon) return 'ignore';
  if (p.alreadyHung) return 'ignore';
  if (p.outcome === 'no-answer') return 'hung';
  return 'healthy';
}

/** A recorded hang: from the start of the first probe that got no answer to the repair (fresh dockerd spawned). */
export interface HangSpan {
  readonly machine: string;
  readonly since: number;
  /** When the fresh dockerd and fleetd were spawned (undefined: not repaired yet). */
  readonly repairedAt: number | undefined;
}

export interface HangSummary {
  readonly count: number;
  /** Machines with at least one hang, sorted, without repeats. */
  readonly machines: readonly string[];
  /** Longest span from detected start to repair (an unrepaired one counts until `now`). */
  readonly longestMs: number;
}

export function summarizeHangs(hangs: readonly HangSpan[], now: number): HangSummary {
  return {
    count: hangs.length,
    machines: [...new Set(hangs.map((h) => h.machine))].sort(),
    longestMs: Math.max(0, ...hangs.map((h) => (h.repairedAt ?? now) - h.since)),
  };
}

/**
 * Windows that involve a machine while its dockerd was hung (from the hang's start to
 * `graceMs` after its repair, the exemption's span): reported apart from the fleetd exemption.
 */
export function windowsDuringHangs(windows: readonly OverlapWindow[], hangs: readonly HangSpan[], graceMs: number): OverlapWindow[] {
  return windows.filter((w) =>
    hangs.some((h) => w.machines.includes(h.machine) && h.since <= w.lastSeen && (h.repairedAt === undefined || w.start <= h.repairedAt + graceMs)),
  );
}

/** What one observation showed: overlaps by key, each with the machines involved. */
export interface ObservedOverlaps {
  readonly at: number;
  readonly overlaps: ReadonlyMap<string, readonly string[]>;
}

/**
 * Replays observations into a tracker, deciding each observation's exemption only now: a hang is
 * known only a probe timeout after its start, so observations made in between are excused
 * retroactively (`excusedAt` sees every impairment recorded by the end of the run).
 */
export function replayOverlaps(history: readonly ObservedOverlaps[], excusedAt: (machine: string, at: number) => boolean): OverlapTracker {
  const tracker = new OverlapTracker();
  for (const { at, overlaps } of history) {
    const judged = new Map<string, Overlap>();
    for (const [key, machines] of overlaps) judged.set(key, { machines, excused: machines.some((m) => excusedAt(m, at)) });
    tracker.observe(at, judged);
  }
  return tracker;
}
