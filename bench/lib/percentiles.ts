/** Order statistics of latency samples (ms), nearest-rank: every figure is a measured sample. */
export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly mean: number;
}

/** The nearest-rank `p`th percentile (0 < p ≤ 100) of `samples`; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const round = (x: number): number => Math.round(x * 10) / 10;
  if (samples.length === 0) return { n: 0, min: Number.NaN, p50: Number.NaN, p95: Number.NaN, max: Number.NaN, mean: Number.NaN };
  return {
    n: samples.length,
    min: round(Math.min(...samples)),
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    max: round(Math.max(...samples)),
    mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
  };
}

/** Docker's RFC 3339 timestamps carry nanoseconds; Date.parse is only sure of milliseconds. */
export function dockerTimeMs(text: string): number {
  const match = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (match === null) return Number.NaN;
  const fraction = match[2] === undefined ? 0 : Number(`0${match[2]}`);
  return Date.parse(`${match[1]}${match[3]}`) + fraction * 1000;
}

/** Epoch milliseconds with sub-millisecond precision (Date.now() truncates to whole ms). */
export const epochMs = (): number => performance.timeOrigin + performance.now();
