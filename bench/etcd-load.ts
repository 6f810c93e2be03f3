import { HollowCluster } from './hollow-cluster.js';
import { parseBenchArgs, parseList, type CommonOptions } from './lib/args.js';
import { describeByMethod, scrapeEtcd, trafficBetween, type EtcdTraffic } from './lib/etcd-metrics.js';
import { isMain, runMain } from './lib/main.js';
import { describeEnvironment, environmentLine, writeResults } from './lib/results.js';
import { sleep } from './lib/sleep.js';
import { fixed, formatTable } from './lib/table.js';

/**
 * Benchmark 4, etcd load of an idle cluster: with N hollow machines and U launched units (all
 * settled: scheduled, running, states published), the requests and bytes that reach etcd over a
 * quiet window, from etcd's own /metrics. Requests are unary calls plus stream messages (lease
 * keepalives, watch creates), reported separately. Units are added to the same cluster step by
 * step, so each machine count is one cluster.
 */
const USAGE = `node bench/dist/etcd-load.js [--machines=10,100,1000] [--units=0,1000,10000] [--window=30] [--settle=35] [--ttl=5] [--agent-procs=2] [--tag=T] [--results=DIR]
`;

export interface EtcdLoadResult {
  readonly machines: number;
  readonly units: number;
  readonly traffic: EtcdTraffic;
  readonly requestsPerSecond: number;
  readonly unaryPerSecond: number;
  readonly streamMessagesPerSecond: number;
  readonly requestsPerMachinePerSecond: number;
  readonly keepalivesPerMachinePerSecond: number;
  readonly receivedBytesPerSecond: number;
  readonly sentBytesPerSecond: number;
  /** Warnings and errors the workers logged over the whole cluster's run, by message. */
  logSummary?: Readonly<Record<string, number>>;
}


function loadOf(machines: number, units: number, traffic: EtcdTraffic): EtcdLoadResult {
  const s = traffic.seconds;
  return {
    machines,
    units,
    traffic,
    requestsPerSecond: (traffic.unaryTotal + traffic.streamMessagesTotal) / s,
    unaryPerSecond: traffic.unaryTotal / s,
    streamMessagesPerSecond: traffic.streamMessagesTotal / s,
    requestsPerMachinePerSecond: (traffic.unaryTotal + traffic.streamMessagesTotal) / s / machines,
    keepalivesPerMachinePerSecond: (traffic.streamMessages['LeaseKeepAlive'] ?? 0) / s / machines,
    receivedBytesPerSecond: traffic.receivedBytes / s,
    sentBytesPerSecond: traffic.sentBytes / s,
  };
}

/**
 * `settleSeconds` after the last unit launched, the window opens: longer than the engine's 30 s
 * full-resync check, whose first run after the launch finds the agents' state writes and reads
 * everything once more — a one-off, not idle load.
 */
export async function measureEtcdLoad(machines: number, unitSteps: readonly number[], windowSeconds: number, settleSeconds: number, options: CommonOptions): Promise<EtcdLoadResult[]> {
  const cluster = await HollowCluster.start({ machines, agentProcs: options.agentProcs, ttlSeconds: options.ttlSeconds, engine: 'alone' });
  const results: EtcdLoadResult[] = [];
  try {
    cluster.lead();
    await cluster.waitFor('an engine leader', (p) => p.electedAt !== undefined);
    let submitted = 0;
    for (const units of unitSteps) {
      if (units > submitted) await cluster.launch(submitted, units);
      submitted = Math.max(submitted, units);
      await sleep(settleSeconds * 1000);
      const before = await scrapeEtcd(cluster.etcd.endpoint);
      const started = performance.now();
      await sleep(windowSeconds * 1000);
      const after = await scrapeEtcd(cluster.etcd.endpoint);
      const result = loadOf(machines, units, trafficBetween(before, after, (performance.now() - started) / 1000));
      results.push(result);
      process.stdout.write(`    ${units} units: ${result.requestsPerSecond.toFixed(1)} req/s — unary: ${describeByMethod(result.traffic.unary, result.traffic.seconds) || 'none'}; stream: ${describeByMethod(result.traffic.streamMessages, result.traffic.seconds) || 'none'}\n`);
    }
  } catch (error) {
    process.stderr.write(`${await cluster.problems()}\n`);
    throw error;
  } finally {
    await cluster.stop();
  }
  for (const r of results) r.logSummary = cluster.logSummary;
  return results;
}

export function etcdLoadTable(results: readonly EtcdLoadResult[]): string {
  const atZero = new Map(results.filter((r) => r.units === 0).map((r) => [r.machines, r]));
  return formatTable(
    ['machines', 'units', 'unary/s', 'stream msg/s', 'req/s', 'req/s per machine', 'keepalive/s per machine', 'recv KiB/s', 'sent KiB/s', 'sent B/s per unit'],
    results.map((r) => {
      const base = atZero.get(r.machines);
      const perUnit = r.units === 0 || base === undefined ? '–' : fixed((r.sentBytesPerSecond - base.sentBytesPerSecond) / r.units, 1);
      return [
        r.machines,
        r.units,
        fixed(r.unaryPerSecond, 2),
        fixed(r.streamMessagesPerSecond, 1),
        fixed(r.requestsPerSecond, 1),
        fixed(r.requestsPerMachinePerSecond, 3),
        fixed(r.keepalivesPerMachinePerSecond, 3),
        fixed(r.receivedBytesPerSecond / 1024, 1),
        fixed(r.sentBytesPerSecond / 1024, 1),
        perUnit,
      ];
    }),
  );
}

export async function runEtcdLoadBenchmark(argv: readonly string[]): Promise<void> {
  const args = parseBenchArgs(argv, { machines: '10,100,1000', units: '0,1000,10000', window: '30', settle: '35' }, USAGE);
  if (args === undefined) return;
  const environment = await describeEnvironment();
  const windowSeconds = Number(args.own.window);
  process.stdout.write(`\netcd load, idle cluster (${windowSeconds}s windows, agent_ttl ${args.common.ttlSeconds}s) — ${environmentLine(environment)}\n`);
  const units = parseList(args.own.units).sort((a, b) => a - b);
  const results: EtcdLoadResult[] = [];
  // Written after every size too, so that a run cut short keeps what it measured.
  const save = (): Promise<string> =>
    writeResults('etcd-load', { environment, options: args.common, windowSeconds, results }, { tag: args.common.tag, dir: args.common.resultsDir });
  for (const machines of parseList(args.own.machines)) {
    process.stdout.write(`  ${machines} machines …\n`);
    results.push(...(await measureEtcdLoad(machines, units, windowSeconds, Number(args.own.settle), args.common)));
    await save();
  }
  process.stdout.write(`\n${etcdLoadTable(results)}\n`);
  const file = await save();
  process.stdout.write(`results: ${file}\n`);
}

if (isMain(import.meta.url)) runMain(runEtcdLoadBenchmark);
