import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { CONTAINER_LABELS } from '@fleet/core';
import { TEST_IMAGE, fleetctl, loopUnit, startCluster, unitDir, type Cluster } from '@fleet/testkit';
import { parseBenchArgs } from './lib/args.js';
import { buildFleetctlBundle, FLEETCTL_BIN } from './lib/fleetctl-bin.js';
import { onInterrupt } from './lib/interrupt.js';
import { isMain, runMain } from './lib/main.js';
import { dockerTimeMs, epochMs, summarize, type Summary } from './lib/percentiles.js';
import { describeEnvironment, environmentLine, writeResults } from './lib/results.js';
import { sleep } from './lib/sleep.js';
import { fixed, formatTable } from './lib/table.js';
import { succeeded, timedSpawn } from './lib/timed-spawn.js';

/**
 * Benchmark 3, start latency: `fleetctl start` of one fresh unit until its container runs, against
 * `docker run -d` of the same image and command on the same daemon, interleaved round by round
 * (the order rotates each round) so that both see the same machine load. Four ways:
 *   fleetctl (bin)      the built bin spawned as a user runs it: node start-up, imports, etcd
 *                       round trips, the engine placing the unit, the agent creating and starting
 *                       the container, fleetctl seeing its state
 *   fleetctl (main)     the same command through `main()` in this process: no process start
 *   docker run -d       the docker CLI binary with -H, as a user runs it
 *   dockerode           create + start through the Engine API from this process: the raw cost
 * fleetctl start returns once the unit's state says its container runs; each run is checked with
 * Docker, and Docker's State.StartedAt tells how long after the command began the container ran.
 */
const USAGE = `node bench/dist/start-latency.js [--rounds=20] [--warmup=2] [--docker=docker] [--tag=T]
`;

const COMMAND = `trap 'exit 0' INT TERM; while true; do echo Hello bench; sleep 1; done`;

type Way = 'fleetctl-bin' | 'fleetctl-main' | 'docker-cli' | 'dockerode';
const round1 = (ms: number): number => Math.round(ms * 10) / 10;
const WAYS: readonly Way[] = ['fleetctl-bin', 'fleetctl-main', 'docker-cli', 'dockerode'];

export interface Sample {
  readonly way: Way;
  readonly round: number;
  /** Command start → command returned. */
  readonly ms: number;
  /** Command start → Docker's StartedAt of the container. */
  readonly containerRunningMs: number;
  /** CPU time of the spawned command (fleetctl-bin, docker-cli): hardly changed by load. */
  readonly cpuMs?: number;
  readonly load1: number;
}

export interface WayResult {
  readonly way: Way;
  readonly returned: Summary;
  readonly containerRunning: Summary;
  readonly cpu?: Summary;
}

async function fleetContainer(cluster: Cluster, unit: string): Promise<{ id: string; startedAt: number; running: boolean } | undefined> {
  for (const m of cluster.machines) {
    const [c] = await m.docker.docker.listContainers({ all: true, filters: { label: [`${CONTAINER_LABELS.unit}=${unit}`] } });
    if (c === undefined) continue;
    const info = await m.docker.docker.getContainer(c.Id).inspect();
    return { id: c.Id, startedAt: dockerTimeMs(info.State.StartedAt), running: info.State.Running };
  }
  return undefined;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

interface Context {
  readonly cluster: Cluster;
  readonly dir: string;
  readonly dockerCli: string;
  /** Containers started outside fleet, removed after each round. */
  readonly plain: string[];
  /** Units started through fleet, destroyed after each round. */
  readonly units: string[];
}

async function startOnce(ctx: Context, way: Way, round: number): Promise<Sample> {
  const machine = ctx.cluster.machines[0]!;
  const load1 = Math.round(loadavg()[0]! * 100) / 100;
  if (way === 'fleetctl-bin' || way === 'fleetctl-main') {
    const unit = `latency-${round}-${way === 'fleetctl-bin' ? 'bin' : 'main'}.service`;
    ctx.units.push(unit);
    const path = join(ctx.dir, unit);
    let ms: number;
    let startedAt: number;
    let cpu: { cpuMs?: number } = {};
    if (way === 'fleetctl-bin') {
      const run = succeeded(await timedSpawn(process.execPath, [FLEETCTL_BIN, ...ctx.cluster.fleetctlFlags, 'start', path]), 'fleetctl start');
      ms = run.ms;
      startedAt = run.startedAt;
      cpu = { cpuMs: run.cpuMs };
    } else {
      startedAt = epochMs();
      const t0 = performance.now();
      const result = await fleetctl(ctx.cluster, ['start', path]);
      ms = performance.now() - t0;
      if (result.code !== 0) throw new Error(`fleetctl start (main) exited ${result.code}: ${result.stderr}`);
    }
    const container = await fleetContainer(ctx.cluster, unit);
    if (container === undefined || !container.running) throw new Error(`fleetctl start returned but ${unit} has no running container`);
    return { way, round, ms: round1(ms), containerRunningMs: round1(container.startedAt - startedAt), ...cpu, load1 };
  }
  if (way === 'docker-cli') {
    const run = succeeded(
      await timedSpawn(ctx.dockerCli, ['-H', machine.docker.endpoint, 'run', '-d', TEST_IMAGE, '/bin/sh', '-c', COMMAND], {
        env: { ...process.env, DOCKER_CONFIG: join(ctx.dir, '.docker') },
      }),
      'docker run -d',
    );
    const id = run.stdout.trim();
    ctx.plain.push(id);
    const info = await machine.docker.docker.getContainer(id).inspect();
    if (!info.State.Running) throw new Error(`docker run -d returned but ${id} is not running`);
    return { way, round, ms: round1(run.ms), containerRunningMs: round1(dockerTimeMs(info.State.StartedAt) - run.startedAt), cpuMs: run.cpuMs, load1 };
  }
  const startedAt = epochMs();
  const t0 = performance.now();
  const container = await machine.docker.docker.createContainer({ Image: TEST_IMAGE, Cmd: ['/bin/sh', '-c', COMMAND] });
  await container.start();
  const ms = performance.now() - t0;
  ctx.plain.push(container.id);
  const info = await container.inspect();
  return { way, round, ms: round1(ms), containerRunningMs: round1(dockerTimeMs(info.State.StartedAt) - startedAt), load1 };
}

/** Back to an empty daemon: destroy the round's units (the agent removes their containers) and remove the plain ones. */
async function cleanUp(ctx: Context): Promise<void> {
  const machine = ctx.cluster.machines[0]!;
  if (ctx.units.length > 0) {
    const result = await fleetctl(ctx.cluster, ['destroy', ...ctx.units]);
    if (result.code !== 0) throw new Error(`fleetctl destroy exited ${result.code}: ${result.stderr}`);
  }
  await Promise.all(ctx.plain.map((id) => machine.docker.docker.getContainer(id).remove({ force: true })));
  ctx.units.length = 0;
  ctx.plain.length = 0;
  await waitFor(
    async () => (await Promise.all(ctx.cluster.machines.map((m) => m.docker.docker.listContainers({ all: true })))).every((l) => l.length === 0),
    30_000,
    'the daemons to be empty',
  );
}

export async function measureStartLatency(options: { rounds: number; warmup: number; dockerCli: string }): Promise<{ samples: Sample[]; results: WayResult[] }> {
  const cluster = await startCluster({ machines: 1, agentTtl: '5s', engineReconcileInterval: '2s' });
  const names = Array.from({ length: options.rounds + options.warmup }, (_, i) => [`latency-${i}-bin.service`, `latency-${i}-main.service`]).flat();
  const dir = await unitDir(Object.fromEntries(names.map((n) => [n, loopUnit()])));
  const ctx: Context = { cluster, dir, dockerCli: options.dockerCli, plain: [], units: [] };
  const teardown = async (): Promise<void> => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const forget = onInterrupt(teardown);
  const samples: Sample[] = [];
  try {
    for (let round = 0; round < options.rounds + options.warmup; round++) {
      // Rotate the order so that no way always runs first (or right after a cleanup).
      const order = WAYS.map((_, i) => WAYS[(i + round) % WAYS.length]!);
      const got: Sample[] = [];
      for (const way of order) got.push(await startOnce(ctx, way, round));
      await cleanUp(ctx);
      if (round < options.warmup) continue;
      samples.push(...got);
      const line = WAYS.map((w) => `${w} ${fixed(got.find((s) => s.way === w)!.ms, 0)}`).join(', ');
      process.stdout.write(`  round ${round - options.warmup + 1}/${options.rounds}: ${line} ms (load ${got[0]!.load1})\n`);
    }
  } finally {
    forget();
    await teardown();
  }
  const results = WAYS.map((way) => {
    const mine = samples.filter((s) => s.way === way);
    const cpu = mine.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
    return {
      way,
      returned: summarize(mine.map((s) => s.ms)),
      containerRunning: summarize(mine.map((s) => s.containerRunningMs)),
      ...(cpu.length === 0 ? {} : { cpu: summarize(cpu) }),
    };
  });
  return { samples, results };
}

const LABELS: Record<Way, string> = {
  'fleetctl-bin': 'fleetctl start (spawned bin)',
  'fleetctl-main': 'fleetctl start (main, in-process)',
  'docker-cli': 'docker -H … run -d (CLI)',
  dockerode: 'dockerode create + start',
};

export function startLatencyTable(results: readonly WayResult[]): string {
  const p50 = (way: Way): number => results.find((r) => r.way === way)!.returned.p50;
  const ratio = (a: Way, b: Way): string => `${fixed(p50(a) / p50(b), 2)}×`;
  const rows = results.map((r) => [
    LABELS[r.way],
    r.returned.n,
    fixed(r.returned.p50, 0),
    fixed(r.returned.p95, 0),
    fixed(r.returned.max, 0),
    fixed(r.containerRunning.p50, 0),
    r.cpu === undefined ? '' : fixed(r.cpu.p50, 0),
    r.way === 'fleetctl-bin' ? `${ratio('fleetctl-bin', 'docker-cli')} docker CLI` : r.way === 'fleetctl-main' ? `${ratio('fleetctl-main', 'dockerode')} dockerode` : '',
  ]);
  return formatTable(['command', 'n', 'p50 ms', 'p95 ms', 'max ms', 'running after p50 ms', 'CPU p50 ms', 'p50 ratio'], rows);
}

export async function runStartLatencyBenchmark(argv: readonly string[]): Promise<void> {
  const args = parseBenchArgs(argv, { rounds: '20', warmup: '2', docker: 'docker' }, USAGE);
  if (args === undefined) return;
  const bundle = await buildFleetctlBundle();
  const environment = await describeEnvironment();
  process.stdout.write(`\nStart latency — ${environmentLine(environment)}\n${bundle}\n`);
  const options = {
    rounds: Math.max(1, Number(args.own.rounds)),
    warmup: Math.max(0, Number(args.own.warmup)),
    dockerCli: args.own.docker,
  };
  const { samples, results } = await measureStartLatency(options);
  process.stdout.write(`\n${startLatencyTable(results)}\n`);
  const bin = results.find((r) => r.way === 'fleetctl-bin')!.returned.p50;
  const cli = results.find((r) => r.way === 'docker-cli')!.returned.p50;
  process.stdout.write(`target: fleetctl start ≤ 1.5 × docker run -d: ${bin <= 1.5 * cli ? 'met' : `MISSED by ${fixed(bin - 1.5 * cli, 0)} ms`}\n`);
  const loadAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  const file = await writeResults('start-latency', { environment, loadAtEnd, options, results, samples }, { tag: args.common.tag, dir: args.common.resultsDir });
  process.stdout.write(`results: ${file}\n`);
}

if (isMain(import.meta.url)) runMain(runStartLatencyBenchmark);
