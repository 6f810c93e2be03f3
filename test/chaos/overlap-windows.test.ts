import { describe, expect, it } from '@jest/globals';
import { type Overlap, OverlapTracker, seenMs, spanMs } from './overlap-windows.js';

const on = (machines: string[], excused = false): Overlap => ({ machines, excused });

/** Feeds observations (time → overlaps by key) and returns the tracker. */
function track(observations: [number, Record<string, Overlap>][]): OverlapTracker {
  const tracker = new OverlapTracker();
  for (const [at, overlaps] of observations) tracker.observe(at, new Map(Object.entries(overlaps)));
  return tracker;
}

describe('OverlapTracker', () => {
  it('measures a window from its first to its last observation (lower bound) and to the first without it (upper bound)', () => {
    const tracker = track([
      [0, {}],
      [200, { u: on(['m0', 'm1']) }],
      [400, { u: on(['m0', 'm1']) }],
      [600, { u: on(['m1', 'm2']) }],
      [800, {}],
    ]);
    const [w] = tracker.windows();
    expect(w).toEqual({ key: 'u', machines: ['m0', 'm1', 'm2'], start: 200, lastSeen: 600, end: 800, longestUnexcusedMs: 400, excusedAtAnyPoint: false });
    expect(seenMs(w!)).toBe(400);
    expect(spanMs(w!)).toBe(600);
  });

  it('counts a window seen once as 0 ms unexcused, whatever the gap to the next observation', () => {
    const tracker = track([
      [0, { u: on(['m0', 'm1']) }],
      [1_500, {}],
    ]);
    expect(tracker.windows()[0]).toMatchObject({ longestUnexcusedMs: 0, lastSeen: 0, end: 1_500 });
    expect(tracker.exceeding(0)).toEqual([]);
  });

  it.each([
    { name: 'excused throughout', excused: [true, true, true, true], longest: 0, any: true },
    { name: 'never excused', excused: [false, false, false, false], longest: 600, any: false },
    { name: 'excused in the middle: two stretches', excused: [false, false, true, false], longest: 200, any: true },
    { name: 'excused at first, then not', excused: [true, false, false, false], longest: 400, any: true },
  ])('takes the bound over the longest unexcused stretch: $name', ({ excused, longest, any }) => {
    const tracker = track([...excused.map((e, i): [number, Record<string, Overlap>] => [i * 200, { u: on(['m0', 'm1'], e) }]), [800, {}]]);
    expect(tracker.windows()[0]).toMatchObject({ longestUnexcusedMs: longest, excusedAtAnyPoint: any });
    expect(tracker.exceeding(longest).length).toBe(0);
    expect(tracker.exceeding(Math.max(0, longest - 1)).length).toBe(longest === 0 ? 0 : 1);
  });

  it('keeps separate windows per key and per episode, ordered by start, open ones without an end', () => {
    const tracker = track([
      [0, { b: on(['m0', 'm1']) }],
      [200, { a: on(['m1', 'm2']) }],
      [400, { a: on(['m1', 'm2']), b: on(['m0', 'm1']) }],
      [600, { b: on(['m0', 'm2']) }],
    ]);
    expect(tracker.windows().map((w) => [w.key, w.start, w.end])).toEqual([
      ['b', 0, 200],
      ['a', 200, 600],
      ['b', 400, undefined],
    ]);
  });
});
