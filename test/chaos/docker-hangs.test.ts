import { describe, expect, it } from '@jest/globals';
import { type HangSpan, judgeProbe, type ObservedOverlaps, type ProbeFacts, type ProbeVerdict, replayOverlaps, summarizeHangs, windowsDuringHangs } from './docker-hangs.js';
import type { OverlapWindow } from './overlap-windows.js';

const facts = (over: Partial<ProbeFacts>): ProbeFacts => ({ outcome: 'answered', sameDaemon: true, hostDown: false, alreadyHung: false, ...over });

describe('judgeProbe', () => {
  it.each<{ name: string; facts: ProbeFacts; verdict: ProbeVerdict }>([
    { name: 'an answer', facts: facts({}), verdict: 'healthy' },
    { name: 'a refused connection (a dead daemon: the exit watch reports it)', facts: facts({ outcome: 'failed' }), verdict: 'healthy' },
    { name: 'no answer from the current daemon', facts: facts({ outcome: 'no-answer' }), verdict: 'hung' },
    { name: 'no answer while the host was being killed', facts: facts({ outcome: 'no-answer', hostDown: true }), verdict: 'ignore' },
    { name: 'no answer from a daemon replaced meanwhile', facts: facts({ outcome: 'no-answer', sameDaemon: false }), verdict: 'ignore' },
    { name: 'no answer from a daemon already recorded hung', facts: facts({ outcome: 'no-answer', alreadyHung: true }), verdict: 'ignore' },
    { name: 'an answer from a daemon already recorded hung (only its replacement ends a hang)', facts: facts({ alreadyHung: true }), verdict: 'ignore' },
  ])('$name: $verdict', ({ facts: f, verdict }) => {
    expect(judgeProbe(f)).toBe(verdict);
  });
});

describe('summarizeHangs', () => {
  it('counts hangs, names each machine once and measures the longest to its repair (or to now)', () => {
    const hangs: HangSpan[] = [
      { machine: 'm2', since: 1_000, repairedAt: 9_000 },
      { machine: 'm0', since: 20_000, repairedAt: 31_000 },
      { machine: 'm2', since: 50_000, repairedAt: undefined },
    ];
    expect(summarizeHangs(hangs, 60_000)).toEqual({ count: 3, machines: ['m0', 'm2'], longestMs: 11_000 });
    expect(summarizeHangs(hangs, 70_000).longestMs).toBe(20_000);
    expect(summarizeHangs([], 0)).toEqual({ count: 0, machines: [], longestMs: 0 });
  });
});

const window = (key: string, machines: string[], start: number, lastSeen: number): OverlapWindow => ({
  key,
  machines,
  start,
  lastSeen,
  end: lastSeen + 200,
  longestUnexcusedMs: 0,
  excusedAtAnyPoint: true,
});

describe('windowsDuringHangs', () => {
  const hang: HangSpan = { machine: 'm0', since: 10_000, repairedAt: 20_000 };
  it.each<{ name: string; w: OverlapWindow; during: boolean }>([
    { name: 'on the hung machine inside the hang', w: window('u', ['m0', 'm1'], 12_000, 15_000), during: true },
    { name: 'begun before the hang, still seen after its start', w: window('u', ['m0', 'm1'], 8_000, 10_000), during: true },
    { name: 'within the grace after the repair', w: window('u', ['m0', 'm2'], 22_900, 24_000), during: true },
    { name: 'after the grace', w: window('u', ['m0', 'm2'], 23_100, 24_000), during: false },
    { name: 'over before the hang', w: window('u', ['m0', 'm1'], 5_000, 9_800), during: false },
    { name: 'on other machines', w: window('u', ['m1', 'm2'], 12_000, 15_000), during: false },
  ])('$name: $during', ({ w, during }) => {
    expect(windowsDuringHangs([w], [hang], 3_000)).toEqual(during ? [w] : []);
  });

  it('counts a window during an unrepaired hang', () => {
    const w = window('u', ['m0', 'm1'], 50_000, 60_000);
    expect(windowsDuringHangs([w], [{ machine: 'm0', since: 40_000, repairedAt: undefined }], 3_000)).toEqual([w]);
  });
});

describe('replayOverlaps', () => {
  const history = (entries: [number, Record<string, string[]>][]): ObservedOverlaps[] =>
    entries.map(([at, overlaps]) => ({ at, overlaps: new Map(Object.entries(overlaps)) }));

  it('excuses observations made before a hang was detected but after its start', () => {
    // m0's probe started at 1 000 got no answer; the hang was recorded only at 9 000, after these observations.
    const seen = history([
      [0, {}],
      [600, { u: ['m0', 'm1'] }],
      [1_000, { u: ['m0', 'm1'] }],
      [5_000, { u: ['m0', 'm1'] }],
      [8_000, { u: ['m0', 'm1'] }],
      [8_200, {}],
    ]);
    const hungFrom = (machine: string, at: number): boolean => machine === 'm0' && at >= 1_000;
    const [w] = replayOverlaps(seen, hungFrom).windows();
    expect(w).toEqual({ key: 'u', machines: ['m0', 'm1'], start: 600, lastSeen: 8_000, end: 8_200, longestUnexcusedMs: 0, excusedAtAnyPoint: true });
  });

  it('leaves overlaps on machines without an exemption unexcused', () => {
    const seen = history([
      [0, { u: ['m1', 'm2'] }],
      [3_000, { u: ['m1', 'm2'] }],
      [3_200, {}],
    ]);
    const [w] = replayOverlaps(seen, (machine) => machine === 'm0').windows();
    expect(w!.longestUnexcusedMs).toBe(3_000);
    expect(w!.excusedAtAnyPoint).toBe(false);
  });
});
