import { runCliSpeedBenchmark } from './cli-speed.js';
import { runEngineAloneBenchmark } from './engine-alone.js';
import { runEtcdLoadBenchmark } from './etcd-load.js';
import { runFailoverBenchmark } from './failover.js';
import { parseBenchArgs } from './lib/args.js';
import { isMain, runMain } from './lib/main.js';
import { runMemoryBenchmark } from './memory.js';
import { runSchedulingBenchmark } from './scheduling-throughput.js';
import { runStartLatencyBenchmark } from './start-latency.js';

/**
 * `npm run bench`: every benchmark in turn, each with its default sizes. Only the options every
 * benchmark takes (--agent-procs, --ttl, --tag, --results, --profile) are accepted and passed on.
 * To add a benchmark, append its entry point here.
 */
export const BENCHMARKS: readonly { readonly name: string; readonly run: (argv: readonly string[]) => Promise<void> }[] = [
  { name: 'scheduling-throughput', run: runSchedulingBenchmark },
  { name: 'etcd-load', run: runEtcdLoadBenchmark },
  { name: 'memory', run: runMemoryBenchmark },
  { name: 'engine-alone', run: runEngineAloneBenchmark },
  { name: 'failover', run: runFailoverBenchmark },
  { name: 'start-latency', run: runStartLatencyBenchmark },
  { name: 'cli-speed', run: runCliSpeedBenchmark },
];

async function runAll(argv: readonly string[]): Promise<void> {
  const usage = 'node bench/dist/run-all.js [--agent-procs=2] [--ttl=5] [--tag=T] [--results=DIR] [--profile=DIR]\n';
  if (parseBenchArgs(argv, {}, usage) === undefined) return;
  for (const benchmark of BENCHMARKS) await benchmark.run(argv);
}

if (isMain(import.meta.url)) runMain(runAll);
