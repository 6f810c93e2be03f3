import { describe, expect, it } from '@jest/globals';
import { initialMassLossState, observeMachines, type MassLossState } from '@fleet/engine';

// No settle wait in most cases here: they are about the threshold and the grace period.
const settings = { threshold: 0.5, graceMs: 60_000, windowMs: 5_000, settleMs: 0 };
const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

function run(steps: [number, string[]][], using = settings) {
  let state: MassLossState = initialMassLossState;
  const out: { held: string[]; events: readonly string[]; wakeAt: number | undefined }[] = [];
  for (const [at, live] of steps) {
    const o = observeMachines(state, new Set(live), at, using);
    state = o.state;
    out.push({ held: [...o.held].sort(), events: o.events, wakeAt: o.wakeAt });
  }
  return out;
}

describe('observeMachines (reschedule-storm brake)', () => {
  it('never holds a single lost machine: that is what rescheduling is for', () => {
    const r = run([
      [0, ids(2)],
      [1000, ['m0']],
    ]);
    expect(r[1]!.held).toEqual([]);
  });

  it('holds the units of half the cluster vanishing within one TTL, and says why', () => {
    const r = run([
      [0, ids(4)],
      [1000, ['m0', 'm1']],
    ]);
    expect(r[1]!.held).toEqual(['m2', 'm3']);
    expect(r[1]!.events).toEqual([
      '2 of 4 machines (50%) vanished within 5s: holding their units in place for 60s instead of rescheduling them (likely an etcd or network problem)',
    ]);
  });

  it('counts losses spread over one TTL together, but not losses further apart', () => {
    const together = run([
      [0, ids(4)],
      [1000, ['m0', 'm1', 'm2']],
      [4000, ['m0', 'm1']],
    ]);
    expect(together[2]!.held).toEqual(['m2', 'm3']);
    const apart = run([
      [0, ids(4)],
      [1000, ['m0', 'm1', 'm2']],
      [9000, ['m0', 'm1']],
    ]);
    expect(apart[2]!.held).toEqual([]);
  });

  it('stays below the threshold for a minority', () => {
    const r = run([
      [0, ids(10)],
      [1000, ids(10).slice(0, 6)],
    ]);
    expect(r[1]!.held).toEqual([]);
  });

  it('releases machines that come back, and the rest when the grace period ends', () => {
    const r = run([
      [0, ids(4)],
      [1000, ['m0']],
      [2000, ['m0', 'm1']],
      [30_000, ['m0', 'm1']],
      [61_000, ['m0', 'm1']],
      [62_000, ['m0', 'm1']],
    ]);
    expect(r[1]!.held).toEqual(['m1', 'm2', 'm3']);
    expect(r[2]!.held).toEqual(['m2', 'm3']);
    expect(r[2]!.events).toEqual(['machines back within the grace period, their units stay: m1']);
    expect(r[3]!.held).toEqual(['m2', 'm3']);
    expect(r[4]!.held).toEqual([]);
    expect(r[4]!.events).toEqual(['grace period over: rescheduling the units of 2 machines still missing']);
    expect(r[5]!.held).toEqual([]);
  });

  it('adds machines lost during the grace period to the hold', () => {
    const r = run([
      [0, ids(6)],
      [1000, ['m0', 'm1', 'm2']],
      [2000, ['m0']],
    ]);
    expect(r[2]!.held).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(r[2]!.events).toEqual(['2 more machines vanished during the grace period; holding their units too']);
  });

  it('holds a single loss for the settle period only, and asks to be woken at its end', () => {
    const r = run(
      [
        [0, ids(3)],
        [1000, ['m0', 'm1']],
        [1500, ['m0', 'm1']],
        [2000, ['m0', 'm1']],
      ],
      { ...settings, settleMs: 1000 },
    );
    expect(r.map((o) => o.held)).toEqual([[], ['m2'], ['m2'], []]);
    expect(r[1]!.wakeAt).toBe(2000);
    expect(r[3]!.events).toEqual([]);
  });

  it('catches machines lost together whose leases expire in different passes', () => {
    // m2 first, m1 half a second later: without the settle, m2's units would already be moving.
    const r = run(
      [
        [0, ids(3)],
        [1000, ['m0', 'm1']],
        [1500, ['m0']],
      ],
      { ...settings, settleMs: 1000 },
    );
    expect(r[1]!.held).toEqual(['m2']);
    expect(r[2]!.held).toEqual(['m1', 'm2']);
    expect(r[2]!.events[0]).toMatch(/^2 of 3 machines \(67%\) vanished within 5s: holding their units/);
    expect(r[2]!.wakeAt).toBe(1500 + 60_000);
  });

  it('never settles longer than the loss window', () => {
    const r = run(
      [
        [0, ids(2)],
        [1000, ['m0']],
        [1000 + 5_000, ['m0']],
      ],
      { ...settings, settleMs: 60_000 },
    );
    expect(r[1]!.wakeAt).toBe(6000);
    expect(r[2]!.held).toEqual([]);
  });
});
