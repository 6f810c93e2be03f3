import { ENGINE_WORKER, FLEETD_WORKER, HollowCluster } from './hollow-cluster.js';
import { parseBenchArgs, parseSizes, type CommonOptions, type Size } from './lib/args.js';
import { isMain, runMain } from './lib/main.js';
import type { MemorySample } from './lib/proc-stats.js';
import { describeEnvironment, environmentLine, writeResults } from './lib/results.js';
import { sleep } from './lib/sleep.js';
import { formatTable, mib } from './lib/table.js';

/**
 * Benchmark 5, memory: resident set size of the engine alone, of a fleetd running only its agent,
 * and of a fleetd running its agent and the leading engine, at each cluster size. Two runs per
 * size: (a) the engine in a process of its own, plus one hollow machine alone in a process (a
 * follower fleetd); (b) the engine and one hollow machine in one process (the leading fleetd).
 * Settled RSS is sampled once everything runs and the engine has made two periodic passes;
 * peak is the process's high-water mark (VmHWM), reached while scheduling.
 */
const USAGE = `node bench/dist/memory.js [--sizes=100x1000,1000x10000,1000x100000] [--settle=5] [--agent-procs=2] [--ttl=5] [--tag=T] [--results=DIR]
`;

export interface MemoryResult extends Size {
  readonly engine: MemorySample;
  readonly fleetdAgent: MemorySample;
  readonly fleetdAgentAndEngine: MemorySample;
  /** An agent-worker process's RSS divided by its hollow machines (agents share clients there). */
  readonly workerBytesPerAgent: number;
  /** Warnings and errors the workers logged, by message, in each run. */
  readonly logSummary: { readonly engineAlone: Readonly<Record<string, number>>; readonly engineInFleetd: Readonly<Record<string, number>> };
}


interface Sampled {
  readonly memory: Record<string, MemorySample>;
  readonly machines: Record<string, number>;
  readonly logSummary: Readonly<Record<string, number>>;
}

async function runAndSample(size: Size, options: CommonOptions, engine: 'alone' | 'in-fleetd', settleMs: number): Promise<Sampled> {
  const cluster = await HollowCluster.start({
    machines: size.machines,
    agentProcs: options.agentProcs,
    ttlSeconds: options.ttlSeconds,
    engine,
    fleetdProcess: engine === 'alone',
  });
  let memory: Record<string, MemorySample>;
  try {
    cluster.lead();
    await cluster.launch(0, size.units);
    await sleep(settleMs);
    memory = await cluster.memory();
  } catch (error) {
    process.stderr.write(`${await cluster.problems()}\n`);
    throw error;
  } finally {
    await cluster.stop();
  }
  return { memory, machines: cluster.machinesByWorker(), logSummary: cluster.logSummary };
}

/** Settled RSS is sampled this long after the last unit launched (the engine passes every 2 s). */
export async function measureMemory(size: Size, options: CommonOptions, settleMs = 5_000): Promise<MemoryResult> {
  const alone = await runAndSample(size, options, 'alone', settleMs);
  const together = await runAndSample(size, options, 'in-fleetd', settleMs);
  const worker = Object.keys(alone.machines).find((name) => name.startsWith('agents-'));
  const workerRss = worker === undefined ? 0 : (alone.memory[worker]?.rssBytes ?? 0);
  const workerMachines = worker === undefined ? 1 : (alone.machines[worker] ?? 1);
  const missing: MemorySample = { rssBytes: 0, peakRssBytes: 0 };
  return {
    ...size,
    engine: alone.memory[ENGINE_WORKER] ?? missing,
    fleetdAgent: alone.memory[FLEETD_WORKER] ?? missing,
    fleetdAgentAndEngine: together.memory[ENGINE_WORKER] ?? missing,
    workerBytesPerAgent: workerRss / workerMachines,
    logSummary: { engineAlone: alone.logSummary, engineInFleetd: together.logSummary },
  };
}

export function memoryTable(results: readonly MemoryResult[]): string {
  return formatTable(
    ['machines', 'units', 'engine MiB', 'peak', 'fleetd agent MiB', 'peak', 'fleetd agent+engine MiB', 'peak', 'worker MiB/agent'],
    results.map((r) => [
      r.machines,
      r.units,
      mib(r.engine.rssBytes),
      mib(r.engine.peakRssBytes),
      mib(r.fleetdAgent.rssBytes),
      mib(r.fleetdAgent.peakRssBytes),
      mib(r.fleetdAgentAndEngine.rssBytes),
      mib(r.fleetdAgentAndEngine.peakRssBytes),
      Math.round(mib(r.workerBytesPerAgent) * 100) / 100,
    ]),
  );
}

export async function runMemoryBenchmark(argv: readonly string[]): Promise<void> {
  const args = parseBenchArgs(argv, { sizes: '100x1000,1000x10000,1000x100000', settle: '5' }, USAGE);
  if (args === undefined) return;
  const environment = await describeEnvironment();
  process.stdout.write(`\nMemory (RSS) — ${environmentLine(environment)}\n`);
  const results: MemoryResult[] = [];
  // Written after every size too, so that a run cut short keeps what it measured.
  const save = (): Promise<string> =>
    writeResults('memory', { environment, options: args.common, results }, { tag: args.common.tag, dir: args.common.resultsDir });
  for (const size of parseSizes(args.own.sizes)) {
    process.stdout.write(`  ${size.machines} machines × ${size.units} units …\n`);
    results.push(await measureMemory(size, args.common, Number(args.own.settle) * 1000));
    await save();
  }
  process.stdout.write(`\n${memoryTable(results)}\n`);
  const file = await save();
  process.stdout.write(`results: ${file}\n`);
}

if (isMain(import.meta.url)) runMain(runMemoryBenchmark);
