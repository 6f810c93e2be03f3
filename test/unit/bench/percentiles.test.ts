import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { dockerTimeMs, percentile, summarize } from '../../../bench/lib/percentiles.js';

describe('percentile (nearest rank)', () => {
  it.each([
    { samples: [5], p: 50, expected: 5 },
    { samples: [3, 1, 2], p: 50, expected: 2 },
    { samples: [1, 2, 3, 4], p: 50, expected: 2 },
    { samples: [1, 2, 3, 4], p: 95, expected: 4 },
    { samples: Array.from({ length: 20 }, (_, i) => i + 1), p: 95, expected: 19 },
    { samples: Array.from({ length: 20 }, (_, i) => i + 1), p: 100, expected: 20 },
  ])('$p th of $samples is $expected', ({ samples, p, expected }) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(summarize([]).n).toBe(0);
  });

  it('is always one of the samples, and ordered min ≤ p50 ≤ p95 ≤ max', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1 }), (samples) => {
        const s = summarize(samples);
        expect(samples).toContain(percentile(samples, 50));
        expect(s.min).toBeLessThanOrEqual(s.p50);
        expect(s.p50).toBeLessThanOrEqual(s.p95);
        expect(s.p95).toBeLessThanOrEqual(s.max);
        expect(s.n).toBe(samples.length);
      }),
    );
  });
});

describe('dockerTimeMs', () => {
  it.each([
    ['2026-11-26T00:40:12Z', Date.UTC(2026, 10, 26, 0, 40, 12)],
    ['2026-11-26T00:40:12.5Z', Date.UTC(2026, 10, 26, 0, 40, 12, 500)],
    ['2026-11-26T00:40:12.123456789Z', Date.UTC(2026, 10, 26, 0, 40, 12) + 123.456789],
    ['2026-11-26T01:40:12.25+01:00', Date.UTC(2026, 10, 26, 0, 40, 12, 250)],
  ])('%s', (text, expected) => {
    expect(dockerTimeMs(text)).toBeCloseTo(expected, 3);
  });

  it('is NaN for what is not an RFC 3339 time', () => {
    expect(dockerTimeMs('0001-01-01')).toBeNaN();
    expect(dockerTimeMs('')).toBeNaN();
  });
});
