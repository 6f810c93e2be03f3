import { encodeScheduledUnit, noopLogger } from '@fleet/core';
import { LeaseKeeper } from '@fleet/registry';
import { ENGINE_WORKER, HollowCluster } from './hollow-cluster.js';
import type { EngineCall } from './lib/protocol.js';
import { hollowMachineRecord } from './hollow-machine.js';
import { parseBenchArgs, parseSizes, type CommonOptions, type Size } from './lib/args.js';
import { scrapeEtcd, trafficBetween } from './lib/etcd-metrics.js';
import { isMain, runMain } from './lib/main.js';
import type { MemorySample } from './lib/proc-stats.js';
import { measureRawTxns, type RawTxnResult } from './lib/raw-txn.js';
import { describeEnvironment, environmentLine, writeResults } from './lib/results.js';
import { sleep } from './lib/sleep.js';
import { fixed, formatTable, mib } from './lib/table.js';
import { benchUnit, submitUnits } from './lib/units.js';

/**
 * The engine alone: N machines registered (one lease, no agents), M units submitted, then the
 * engine leads. Measures how fast it places everything with nothing else competing for etcd or
 * the CPU, and what it costs once idle (its CPU and its etcd traffic over a quiet window). The
 * scheduling benchmark runs the same engine next to 1,000 launching agents; this one isolates it.
 */
const USAGE = `node bench/dist/engine-alone.js [--sizes=1000x10000,1000x100000] [--window=20] [--ttl=5] [--tag=T] [--results=DIR] [--profile=DIR]
`;

export interface EngineAloneResult extends Size {
  readonly scheduledSeconds: number;
  readonly scheduledPerSecond: number;
  readonly rawInFlight: RawTxnResult;
  readonly ratio: number;
  readonly engineCpuSecondsScheduling: number;
  /** The engine's snapshots and applies until every unit was placed (ms from its election). */
  readonly engineCalls: readonly EngineCall[];
  /** Engine CPU seconds per second over the idle window. */
  readonly idleEngineCpu: number;
  readonly idleUnaryPerSecond: number;
  readonly idleSentBytesPerSecond: number;
  readonly memory: MemorySample;
  readonly logSummary: Readonly<Record<string, number>>;
}

const SETTLE_MS = 8_000;

export async function measureEngineAlone(size: Size, windowSeconds: number, options: CommonOptions): Promise<EngineAloneResult> {
  const cluster = await HollowCluster.start({ machines: 0, agentProcs: 1, ttlSeconds: options.ttlSeconds, engine: 'alone', profileDir: options.profileDir });
  let result: Omit<EngineAloneResult, 'logSummary'>;
  try {
    result = await cluster.withClient(async (client, registry) => {
      // One lease for every machine key, kept alive here for the whole run.
      const lease = await LeaseKeeper.grant({ client, ttlSeconds: 60, logger: noopLogger });
      try {
        for (let i = 0; i < size.machines; i++) await registry.registerMachine(hollowMachineRecord(i), lease);
        await submitUnits(registry, 0, size.units);
        const valueBytes = encodeScheduledUnit(benchUnit(0)).length;
        const rawInFlight = await measureRawTxns(client, { prefix: '/bench-raw/', txns: 10_000, concurrency: 64, valueBytes });

        const cpuBefore = await cluster.cpuSeconds();
        cluster.lead();
        const scheduled = await cluster.waitFor(`${size.units} units scheduled`, (p) => p.scheduled >= size.units);
        const cpuScheduled = await cluster.cpuSeconds();
        const scheduledSeconds = (scheduled.scheduledAt - (scheduled.electedAt ?? scheduled.scheduledAt)) / 1000;
        await sleep(SETTLE_MS);
        const before = await scrapeEtcd(cluster.etcd.endpoint);
        const cpuIdle = await cluster.cpuSeconds();
        const started = performance.now();
        await sleep(windowSeconds * 1000);
        const after = await scrapeEtcd(cluster.etcd.endpoint);
        const cpuAfter = await cluster.cpuSeconds();
        const seconds = (performance.now() - started) / 1000;
        const traffic = trafficBetween(before, after, seconds);
        const engineCpu = (cpus: Record<string, number>): number => cpus[ENGINE_WORKER] ?? 0;
        return {
          ...size,
          scheduledSeconds,
          scheduledPerSecond: size.units / scheduledSeconds,
          rawInFlight,
          ratio: size.units / scheduledSeconds / rawInFlight.txnPerSecond,
          engineCpuSecondsScheduling: engineCpu(cpuScheduled) - engineCpu(cpuBefore),
          engineCalls: scheduled.engineCalls.map((c) => ({ ...c, at: c.at - (scheduled.electedAt ?? 0), ms: Math.round(c.ms) })),
          idleEngineCpu: (engineCpu(cpuAfter) - engineCpu(cpuIdle)) / seconds,
          idleUnaryPerSecond: traffic.unaryTotal / seconds,
          idleSentBytesPerSecond: traffic.sentBytes / seconds,
          memory: (await cluster.memory())[ENGINE_WORKER] ?? { rssBytes: 0, peakRssBytes: 0 },
        };
      } finally {
        await lease.revoke().catch(() => undefined);
      }
    });
  } catch (error) {
    process.stderr.write(`${await cluster.problems()}\n`);
    throw error;
  } finally {
    await cluster.stop();
  }
  return { ...result, logSummary: cluster.logSummary };
}

export function engineAloneTable(results: readonly EngineAloneResult[]): string {
  return formatTable(
    ['machines', 'units', 'scheduled s', 'to 1st apply s', 'of it applying s', 'placed/s', 'raw txn/s ×64', 'ratio', 'engine CPU s', 'idle CPU %', 'idle unary/s', 'idle sent KiB/s', 'RSS MiB', 'peak MiB'],
    results.map((r) => [
      r.machines,
      r.units,
      fixed(r.scheduledSeconds, 2),
      // From the election to the first apply: the new leader's snapshot and first plan.
      fixed((r.engineCalls.find((c) => c.call === 'apply')?.at ?? 0) / 1000, 2),
      fixed(r.engineCalls.filter((c) => c.call === 'apply').reduce((sum, c) => sum + c.ms, 0) / 1000, 2),
      Math.round(r.scheduledPerSecond),
      Math.round(r.rawInFlight.txnPerSecond),
      fixed(r.ratio, 2),
      fixed(r.engineCpuSecondsScheduling, 1),
      fixed(r.idleEngineCpu * 100, 1),
      fixed(r.idleUnaryPerSecond, 2),
      fixed(r.idleSentBytesPerSecond / 1024, 1),
      mib(r.memory.rssBytes),
      mib(r.memory.peakRssBytes),
    ]),
  );
}

export async function runEngineAloneBenchmark(argv: readonly string[]): Promise<void> {
  const args = parseBenchArgs(argv, { sizes: '1000x10000,1000x100000', window: '20' }, USAGE);
  if (args === undefined) return;
  const environment = await describeEnvironment();
  process.stdout.write(`\nEngine alone (no agents) — ${environmentLine(environment)}\n`);
  const results: EngineAloneResult[] = [];
  const save = (): Promise<string> =>
    writeResults('engine-alone', { environment, options: args.common, results }, { tag: args.common.tag, dir: args.common.resultsDir });
  for (const size of parseSizes(args.own.sizes)) {
    process.stdout.write(`  ${size.machines} machines × ${size.units} units …\n`);
    results.push(await measureEngineAlone(size, Number(args.own.window), args.common));
    await save();
  }
  process.stdout.write(`\n${engineAloneTable(results)}\n`);
  process.stdout.write(`results: ${await save()}\n`);
}

if (isMain(import.meta.url)) runMain(runEngineAloneBenchmark);
