import { type HangSpan, summarizeHangs } from './docker-hangs.js';
import { FAULT_KINDS, FAULT_LABELS, type FaultKind } from './fault-schedule.js';
import { type OverlapWindow, seenMs, spanMs } from './overlap-windows.js';

/** The chaos run's summary table (plain text, also pasted into docs/reliability.md). */

export interface RoundOutcome {
  readonly kinds: readonly FaultKind[];
  /** From the round's last repair (or a hung dockerd's repair after it) to the first observation of the converged cluster. */
  readonly convergenceMs: number;
  /** Hung dockerds repaired before the round converged. */
  readonly dockerHangRepairs: number;
}

export interface ChaosSummary {
  readonly seed: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly rounds: readonly RoundOutcome[];
  readonly doubleRuns: readonly OverlapWindow[];
  readonly conflictOverlaps: readonly OverlapWindow[];
  readonly observations: number;
  readonly longestPollGapMs: number;
  readonly violations: readonly string[];
  /** dockerds that stopped answering (environment failures, not violations) and the windows they exempted. */
  readonly dockerHangs: readonly HangSpan[];
  readonly hangWindows: readonly OverlapWindow[];
  /** The double run that outlasted the return of a killed or frozen fleetd longest: how long after (lower bound). */
  readonly longestAfterBack: { readonly ms: number; readonly key: string } | undefined;
  readonly bounds: { readonly doubleRunMs: number; readonly convergenceMs: number };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`, ...rows.map(line)];
}

/** A window's length as `seen–span s` (lower and upper bound, see overlap-windows.ts). */
export function windowLength(w: OverlapWindow): string {
  const span = spanMs(w);
  return span === undefined ? `≥ ${seconds(seenMs(w))}` : `${(seenMs(w) / 1000).toFixed(1)}–${seconds(span)}`;
}

function longest(windows: readonly OverlapWindow[]): string {
  if (windows.length === 0) return '–';
  const w = windows.reduce((a, b) => (seenMs(b) > seenMs(a) ? b : a));
  return `${windowLength(w)} (${w.key} on ${w.machines.join('+')})`;
}

/** Human summary of a run: faults by kind with the longest convergence after each, windows, violations. */
export function formatChaosSummary(s: ChaosSummary): string {
  const faults = s.rounds.reduce((n, r) => n + r.kinds.length, 0);
  const rows = FAULT_KINDS.map((kind) => {
    const rounds = s.rounds.filter((r) => r.kinds.includes(kind));
    const count = s.rounds.reduce((n, r) => n + r.kinds.filter((k) => k === kind).length, 0);
    const worst = rounds.length === 0 ? '–' : seconds(Math.max(...rounds.map((r) => r.convergenceMs)));
    return [FAULT_LABELS[kind], String(count), worst];
  });
  const allConvergence = s.rounds.map((r) => r.convergenceMs);
  rows.push([
    '**all**',
    String(faults),
    allConvergence.length === 0 ? '–' : seconds(Math.max(...allConvergence)),
  ]);
  const excused = s.doubleRuns.filter((w) => w.excusedAtAnyPoint);
  const unexcused = s.doubleRuns.filter((w) => !w.excusedAtAnyPoint);
  const longestUnexcusedStretch = Math.max(0, ...s.doubleRuns.map((w) => w.longestUnexcusedMs));
  const hangs = summarizeHangs(s.dockerHangs, s.startedAt.getTime() + s.durationMs);
  const hangRounds = s.rounds.filter((r) => r.dockerHangRepairs > 0).map((r) => r.convergenceMs);
  const hangText =
    hangs.count === 0
      ? '0'
      : `${hangs.count} (${hangs.machines.join(', ')}), longest ${seconds(hangs.longestMs)} from the probe with no answer to a fresh dockerd;` +
        ` converged ${hangRounds.length === 0 ? '–' : seconds(Math.max(...hangRounds))} after the repair; windows exempt: ${s.hangWindows.length} / ${longest(s.hangWindows)}`;
  const mean = allConvergence.length === 0 ? 0 : allConvergence.reduce((a, b) => a + b, 0) / allConvergence.length;
  return [
    `Chaos run ${s.startedAt.toISOString()}: seed ${s.seed}, ${faults} faults in ${s.rounds.filter((r) => r.kinds.length > 0).length} rounds, ${seconds(s.durationMs)}` +
      ` (${s.observations} observations, longest gap between two ${s.longestPollGapMs} ms)`,
    '',
    ...table(['Fault', 'Count', 'Longest convergence after repair'], rows),
    '',
    ...table(
      ['Measure', 'Value'],
      [
        ['Convergence after repair: mean / longest (bound)', `${seconds(mean)} / ${seconds(Math.max(0, ...allConvergence))} (${seconds(s.bounds.convergenceMs)})`],
        ['Double-run windows, all: count / longest', `${s.doubleRuns.length} / ${longest(s.doubleRuns)}`],
        ['… while a machine involved had fleetd killed or frozen (or dockerd hung)', `${excused.length} / ${longest(excused)}`],
        ['… longest after that fleetd was back', s.longestAfterBack === undefined ? '–' : `${seconds(s.longestAfterBack.ms)} (${s.longestAfterBack.key})`],
        ['… otherwise (partition, etcd member, leader change)', `${unexcused.length} / ${longest(unexcused)}`],
        ['Longest double run outside the killed/frozen exemption (bound)', `${seconds(longestUnexcusedStretch)} (${seconds(s.bounds.doubleRunMs)})`],
        ['Conflicts overlaps: count / longest', `${s.conflictOverlaps.length} / ${longest(s.conflictOverlaps)}`],
        ['dockerd hangs (environment, not violations): count (machines), longest', hangText],
        ['Invariant violations', String(s.violations.length)],
      ],
    ),
    ...(s.violations.length === 0 ? [] : ['', 'Violations:', ...s.violations.map((v) => `- ${v}`)]),
  ].join('\n');
}
