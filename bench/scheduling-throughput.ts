import { encodeScheduledUnit } from '@fleet/core';
import { ENGINE_WORKER, HollowCluster } from './hollow-cluster.js';
import type { EngineCall } from './lib/protocol.js';
import { isMain, runMain } from './lib/main.js';
import { parseBenchArgs, parseList, parseSizes, type CommonOptions, type Size } from './lib/args.js';
import { measureRawTxns, type RawTxnResult } from './lib/raw-txn.js';
import { describeEnvironment, environmentLine, writeResults } from './lib/results.js';
import { fixed, formatTable, mib } from './lib/table.js';
import { benchUnit } from './lib/units.js';

/**
 * Benchmark 1, scheduling throughput: N hollow machines, M units submitted (desired state
 * launched) while no engine leads, then the engine is let loose. Measures the time from the
 * engine's election until every unit is placed (its schedule key committed) and until every unit
 * reports launched (its agent wrote an `active` state), and compares the placement rate with raw
 * etcd txn throughput (one guarded write per txn) against the same etcd in the same run.
 */
const USAGE = `node bench/dist/scheduling-throughput.js [--sizes=100x1000,1000x10000,1000x100000] [--raw=2000,10000] [--agent-procs=2] [--ttl=5] [--tag=T] [--results=DIR] [--profile=DIR]
`;

export interface SchedulingResult extends Size {
  readonly submitSeconds: number;
  readonly submitPerSecond: number;
  readonly electionMs: number;
  readonly scheduledSeconds: number;
  readonly scheduledPerSecond: number;
  readonly launchedSeconds: number;
  readonly launchedPerSecond: number;
  readonly enginePasses: number;
  /** The engine's snapshots and applies from the election until all launched, times relative to the election. */
  readonly engineCalls: readonly EngineCall[];
  readonly raw: { readonly oneCaller: RawTxnResult; readonly inFlight: RawTxnResult };
  /** Placements per second ÷ raw txn/s with many in flight. */
  readonly ratio: number;
  readonly engineRssBytes: number;
  readonly enginePeakRssBytes: number;
  readonly clusterStartSeconds: number;
  /** CPU seconds each process (engine, agent workers, etcd, this one) used from the election on. */
  readonly cpuSecondsUntilScheduled: Readonly<Record<string, number>>;
  readonly cpuSecondsUntilLaunched: Readonly<Record<string, number>>;
  readonly warnings: number;
  readonly errors: number;
  /** Warnings and errors the workers logged, by message. */
  readonly logSummary: Readonly<Record<string, number>>;
}

const RAW_IN_FLIGHT = 64;

/** Raw txns measured for the baseline: from one caller, and with RAW_IN_FLIGHT in flight. */
export interface RawTxnCounts {
  readonly oneCaller: number;
  readonly inFlight: number;
}

export async function measureScheduling(size: Size, options: CommonOptions, raw: RawTxnCounts = { oneCaller: 2_000, inFlight: 10_000 }): Promise<SchedulingResult> {
  const cluster = await HollowCluster.start({
    machines: size.machines,
    agentProcs: options.agentProcs,
    ttlSeconds: options.ttlSeconds,
    engine: 'alone',
    profileDir: options.profileDir,
  });
  let result: SchedulingResult;
  try {
    const submitMs = await cluster.submit(0, size.units);
    const valueBytes = encodeScheduledUnit(benchUnit(0)).length;
    const [oneCaller, inFlight] = await cluster.withClient(async (client) => [
      await measureRawTxns(client, { prefix: '/bench-raw/', txns: raw.oneCaller, concurrency: 1, valueBytes }),
      await measureRawTxns(client, { prefix: '/bench-raw/', txns: raw.inFlight, concurrency: RAW_IN_FLIGHT, valueBytes }),
    ]);

    const cpuBefore = await cluster.cpuSeconds();
    const leadAt = Date.now();
    cluster.lead();
    const scheduled = await cluster.waitFor(`${size.units} units scheduled`, (p) => p.scheduled >= size.units);
    const cpuScheduled = await cluster.cpuSeconds();
    const launched = await cluster.waitFor(`${size.units} units launched`, (p) => p.launched >= size.units);
    const cpuLaunched = await cluster.cpuSeconds();
    const electedAt = launched.electedAt ?? leadAt;
    // Let the engine's periodic pass run once more over the full cluster before sampling memory.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const memory = (await cluster.memory())[ENGINE_WORKER];
    const scheduledSeconds = (scheduled.scheduledAt - electedAt) / 1000;
    const launchedSeconds = (launched.launchedAt - electedAt) / 1000;
    const after = cluster.progress();
    result = {
      ...size,
      submitSeconds: submitMs / 1000,
      submitPerSecond: size.units / (submitMs / 1000),
      electionMs: electedAt - leadAt,
      scheduledSeconds,
      scheduledPerSecond: size.units / scheduledSeconds,
      launchedSeconds,
      launchedPerSecond: size.units / launchedSeconds,
      enginePasses: launched.enginePasses,
      engineCalls: launched.engineCalls.map((c) => ({ ...c, at: c.at - electedAt, ms: Math.round(c.ms) })),
      raw: { oneCaller, inFlight },
      ratio: size.units / scheduledSeconds / inFlight.txnPerSecond,
      engineRssBytes: memory?.rssBytes ?? 0,
      enginePeakRssBytes: memory?.peakRssBytes ?? 0,
      clusterStartSeconds: cluster.startMs / 1000,
      cpuSecondsUntilScheduled: cpuDelta(cpuBefore, cpuScheduled),
      cpuSecondsUntilLaunched: cpuDelta(cpuBefore, cpuLaunched),
      warnings: after.warnings,
      errors: after.errors,
      logSummary: {},
    };
  } catch (error) {
    process.stderr.write(`${await cluster.problems()}\n`);
    throw error;
  } finally {
    await cluster.stop();
  }
  return { ...result, logSummary: cluster.logSummary };
}

function cpuDelta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, s]) => [name, Math.round((s - (before[name] ?? 0)) * 100) / 100]));
}

export function schedulingTable(results: readonly SchedulingResult[]): string {
  return formatTable(
    ['machines', 'units', 'submit/s', 'scheduled s', 'to 1st apply s', 'scheduled/s', 'launched s', 'launched/s', 'raw txn/s ×1', `raw txn/s ×${RAW_IN_FLIGHT}`, 'ratio', 'engine RSS MiB', 'peak MiB'],
    results.map((r) => [
      r.machines,
      r.units,
      Math.round(r.submitPerSecond),
      fixed(r.scheduledSeconds, 2),
      // From the election to the first apply: the new leader's snapshot and first plan.
      fixed((r.engineCalls.find((c) => c.call === 'apply')?.at ?? 0) / 1000, 2),
      Math.round(r.scheduledPerSecond),
      fixed(r.launchedSeconds, 2),
      Math.round(r.launchedPerSecond),
      Math.round(r.raw.oneCaller.txnPerSecond),
      Math.round(r.raw.inFlight.txnPerSecond),
      fixed(r.ratio, 2),
      mib(r.engineRssBytes),
      mib(r.enginePeakRssBytes),
    ]),
  );
}

export async function runSchedulingBenchmark(argv: readonly string[]): Promise<void> {
  const args = parseBenchArgs(argv, { sizes: '100x1000,1000x10000,1000x100000', raw: '2000,10000' }, USAGE);
  if (args === undefined) return;
  const environment = await describeEnvironment();
  process.stdout.write(`\nScheduling throughput — ${environmentLine(environment)}\n`);
  const results: SchedulingResult[] = [];
  // Written after every size too, so that a run cut short keeps what it measured.
  const save = (): Promise<string> =>
    writeResults('scheduling-throughput', { environment, options: args.common, results }, { tag: args.common.tag, dir: args.common.resultsDir });
  for (const size of parseSizes(args.own.sizes)) {
    process.stdout.write(`  ${size.machines} machines × ${size.units} units …\n`);
    const [oneCaller = 2_000, inFlight = 10_000] = parseList(args.own.raw);
    results.push(await measureScheduling(size, args.common, { oneCaller, inFlight }));
    await save();
  }
  process.stdout.write(`\n${schedulingTable(results)}\n`);
  const file = await save();
  process.stdout.write(`results: ${file}\n`);
}

if (isMain(import.meta.url)) runMain(runSchedulingBenchmark);
