import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { chaosRounds, FAULT_KINDS, MACHINE_FAULTS, type PlannedRound, seededRandom } from './fault-schedule.js';

function take(seed: number, n: number): PlannedRound[] {
  const rounds = chaosRounds(seed);
  return Array.from({ length: n }, () => rounds.next().value);
}

describe('the chaos fault schedule', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(take(42, 50)).toEqual(take(42, 50));
    expect(take(43, 50)).not.toEqual(take(42, 50));
  });

  it('numbers its rounds and uses every fault kind', () => {
    const rounds = take(1, 100);
    expect(rounds.map((r) => r.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const kinds = new Set(rounds.flatMap((r) => r.faults.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('keeps every round within the limits: 1–3 faults, ≤ 2 machines, one leader kill and one etcd member at most', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        for (const round of take(seed, 40)) {
          const kinds = round.faults.map((f) => f.kind);
          expect(kinds.length).toBeGreaterThanOrEqual(1);
          expect(kinds.length).toBeLessThanOrEqual(3);
          expect(kinds.filter((k) => MACHINE_FAULTS.has(k)).length).toBeLessThanOrEqual(2);
          expect(kinds.filter((k) => k === 'leader-kill').length).toBeLessThanOrEqual(1);
          expect(kinds.filter((k) => k === 'etcd-member-kill').length).toBeLessThanOrEqual(1);
          // The leader is found when the round starts, so its kill comes first.
          if (kinds.includes('leader-kill')) expect(kinds[0]).toBe('leader-kill');
          expect(round.faults[0]!.offsetMs).toBe(0);
          for (const f of round.faults) {
            expect(f.offsetMs).toBeGreaterThanOrEqual(0);
            expect(f.offsetMs).toBeLessThanOrEqual(2_000);
            expect(f.holdMs).toBeGreaterThanOrEqual(500);
            expect(f.holdMs).toBeLessThanOrEqual(6_000);
            expect(f.pick).toBeGreaterThanOrEqual(0);
            expect(f.pick).toBeLessThan(1);
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('draws floats in [0, 1) from any seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        const random = seededRandom(seed);
        for (let i = 0; i < 100; i++) {
          const x = random();
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
        }
      }),
    );
  });
});
