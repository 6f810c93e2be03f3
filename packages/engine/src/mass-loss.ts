/**
 * Reschedule-storm brake (compare Kubernetes' secondary eviction rate): when a large share of the
 * machines vanish within one TTL, that is far more likely an etcd or network problem than that
 * many hosts dying at once, and moving all their units would be a storm — so the engine leaves
 * the lost machines' units where they are for a grace period. Machines that come back keep their
 * units; after the grace period the units of machines still missing are rescheduled. Pure: the
 * engine feeds it the live machine ids and the time on every pass.
 */
export interface MassLossSettings {
  /** Fraction of known machines that must vanish within one TTL to pause (fleetd mass_loss_threshold). */
  readonly threshold: number;
  /** How long to hold the lost machines' units in place (fleetd mass_loss_grace). */
  readonly graceMs: number;
  /** The window in which losses count together: the agents' lease TTL. */
  readonly windowMs: number;
  /**
   * How long a loss below the threshold waits before its units move (0: at once). Leases of
   * machines lost together expire up to a keepalive interval apart and reach the engine in
   * different passes; without a wait the first one's units would already be moving when the
   * others show it was a mass loss. Default SETTLE_MS (capped at the window).
   */
  readonly settleMs?: number;
}

/** A second: it catches machines lost together, and costs single-host failover that much. */
export const SETTLE_MS = 1_000;

export interface MassLossState {
  /** Machines seen alive in the last pass. */
  readonly known: ReadonlySet<string>;
  /** Recent losses: machine id → when it was first seen missing. */
  readonly losses: ReadonlyMap<string, number>;
  /** Machines whose units are held in place, until `pausedUntil`. */
  readonly paused: ReadonlySet<string>;
  readonly pausedUntil: number;
}

export const initialMassLossState: MassLossState = { known: new Set(), losses: new Map(), paused: new Set(), pausedUntil: 0 };

export interface MassLossObservation {
  readonly state: MassLossState;
  /** Lost machines whose units must not be rescheduled in this pass. */
  readonly held: ReadonlySet<string>;
  /** When to look again (the end of a settle or of the grace period), if anything is held. */
  readonly wakeAt: number | undefined;
  /** What to log, if anything changed. */
  readonly events: readonly string[];
}

/** Fewer simultaneous losses than this never pause: one dead host is exactly what rescheduling is for. */
export const MIN_LOSSES_TO_PAUSE = 2;

export function observeMachines(
  previous: MassLossState,
  live: ReadonlySet<string>,
  now: number,
  settings: MassLossSettings,
): MassLossObservation {
  const events: string[] = [];
  const losses = new Map<string, number>();
  for (const [id, at] of previous.losses) {
    if (!live.has(id) && now - at <= settings.windowMs) losses.set(id, at);
  }
  for (const id of previous.known) if (!live.has(id) && !losses.has(id)) losses.set(id, now);
  // Everything seen alive in the window, before the losses: the base the share is taken of.
  const base = new Set([...live, ...losses.keys()]);

  let paused = new Set([...previous.paused].filter((id) => !live.has(id)));
  let pausedUntil = previous.pausedUntil;
  const returned = [...previous.paused].filter((id) => live.has(id));
  if (returned.length > 0) events.push(`machines back within the grace period, their units stay: ${returned.sort().join(', ')}`);
  if (paused.size > 0 && now >= pausedUntil) {
    events.push(`grace period over: rescheduling the units of ${paused.size} machines still missing`);
    // Dealt with: these losses must not start another pause.
    for (const id of paused) losses.delete(id);
    paused = new Set();
  }

  const share = base.size === 0 ? 0 : losses.size / base.size;
  if (losses.size >= MIN_LOSSES_TO_PAUSE && share >= settings.threshold) {
    const fresh = [...losses.keys()].filter((id) => !paused.has(id));
    if (paused.size === 0) {
      pausedUntil = now + settings.graceMs;
      events.push(
        `${losses.size} of ${base.size} machines (${Math.round(share * 100)}%) vanished within ${settings.windowMs / 1000}s: ` +
          `holding their units in place for ${settings.graceMs / 1000}s instead of rescheduling them (likely an etcd or network problem)`,
      );
    } else if (fresh.length > 0) {
      events.push(`${fresh.length} more machines vanished during the grace period; holding their units too`);
    }
    paused = new Set([...paused, ...losses.keys()]);
  }
  // Losses below the threshold wait out the settle period: more may follow within it.
  const settleMs = Math.min(settings.settleMs ?? SETTLE_MS, settings.windowMs);
  const settling = [...losses].filter(([id, at]) => !paused.has(id) && now - at < settleMs);
  const held = new Set([...paused, ...settling.map(([id]) => id)]);
  const wakes = [...(paused.size > 0 ? [pausedUntil] : []), ...settling.map(([, at]) => at + settleMs)];
  return {
    state: { known: new Set(live), losses, paused, pausedUntil },
    held,
    wakeAt: wakes.length === 0 ? undefined : Math.min(...wakes),
    events,
  };
}
