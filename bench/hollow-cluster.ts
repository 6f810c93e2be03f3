import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KEY_PREFIX, noopLogger } from '@fleet/core';
import { createEtcdClient, EtcdRegistry, type EtcdClient } from '@fleet/registry';
import { startEtcd, type EtcdServer } from '@fleet/testkit';
import { onInterrupt } from './lib/interrupt.js';
import { sampleCpuSeconds, sampleMemory, type MemorySample } from './lib/proc-stats.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerProgress } from './lib/protocol.js';
import { submitUnits } from './lib/units.js';

/**
 * A hollow cluster for benchmarks: a private etcd (@fleet/testkit), and worker processes
 * (hollow-worker.ts) running N hollow machines and one engine candidate. Agents share etcd
 * clients, `agentsPerClient` to a client (one gRPC connection, one multiplexed watch stream;
 * each agent still has its own lease, keepalive stream, registration and two watches). The
 * engine runs in a process of its own, or with one hollow machine like a leading fleetd.
 */
export interface HollowClusterOptions {
  readonly machines: number;
  /** Worker processes the agents are spread over (besides the engine's and fleetd's). */
  readonly agentProcs: number;
  readonly ttlSeconds: number;
  /** `alone`: the engine has a process to itself; `in-fleetd`: it shares one with a hollow machine. */
  readonly engine: 'alone' | 'in-fleetd';
  /** Run one hollow machine alone in its own process, like a follower fleetd (for its RSS). */
  readonly fleetdProcess?: boolean;
  readonly agentsPerClient?: number;
  readonly engineReconcileMs?: number;
  /** Write V8 CPU profiles of every worker process here. */
  readonly profileDir?: string;
}

/** The sums of every worker's progress: the same fields as one worker's. */
export type ClusterProgress = WorkerProgress;

interface WorkerHandle {
  readonly config: WorkerConfig;
  readonly child: ChildProcess;
  progress: WorkerProgress | undefined;
  readonly ready: Promise<{ machines: number; ms: number }>;
  readonly exited: Promise<void>;
  done: boolean;
}

export const ENGINE_WORKER = 'engine';
export const FLEETD_WORKER = 'fleetd';

const WORKER_JS = join(dirname(fileURLToPath(import.meta.url)), 'hollow-worker.js');
const STOP_GRACE_MS = 30_000;

export class HollowCluster {
  private stopped = false;
  private readonly forget: () => void;

  private constructor(
    readonly etcd: EtcdServer,
    readonly workDir: string,
    private readonly workers: WorkerHandle[],
    /** Wall time until every machine was registered and its agent started. */
    readonly startMs: number,
  ) {
    this.forget = onInterrupt(() => this.stop());
  }

  static async start(options: HollowClusterOptions): Promise<HollowCluster> {
    const workDir = await mkdtemp(join(tmpdir(), 'fleet-bench-'));
    const etcd = await startEtcd({ dataDir: join(workDir, 'etcd') });
    const workers: WorkerHandle[] = [];
    const started = performance.now();
    try {
      for (const config of workerConfigs(options, etcd.endpoint, workDir)) workers.push(spawnWorker(config, options.profileDir));
      await Promise.all(workers.map((w) => w.ready));
    } catch (error) {
      await new HollowCluster(etcd, workDir, workers, 0).stop();
      throw error;
    }
    return new HollowCluster(etcd, workDir, workers, performance.now() - started);
  }

  /**
   * Runs `use` with an etcd client of the benchmark's own (closed afterwards: an idle client
   * without streams would have its connection dropped by etcd for pinging).
   */
  async withClient<T>(use: (client: EtcdClient, registry: EtcdRegistry) => Promise<T>): Promise<T> {
    const client = createEtcdClient({ endpoints: [this.etcd.endpoint] });
    try {
      return await use(client, new EtcdRegistry({ client, logger: noopLogger, prefix: DEFAULT_KEY_PREFIX }));
    } finally {
      client.close();
    }
  }

  /** Creates units [from, from + count) through the registry; returns the wall time in ms. */
  submit(from: number, count: number): Promise<number> {
    return this.withClient((_, registry) => submitUnits(registry, from, count));
  }

  /**
   * Submits units [from, to) and waits until every one is scheduled and reports launched; the
   * engine must lead (or be told to, `lead`). Returns the submit time in ms.
   */
  async launch(from: number, to: number): Promise<{ submitMs: number; progress: ClusterProgress }> {
    const submitMs = await this.submit(from, to - from);
    await this.waitFor(`${to} units scheduled`, (p) => p.scheduled >= to);
    const progress = await this.waitFor(`${to} units launched`, (p) => p.launched >= to);
    return { submitMs, progress };
  }

  /** Lets the engine candidate campaign (it wins: it is the only one). */
  lead(): void {
    for (const w of this.workers) if (w.config.engine) send(w, { kind: 'lead' });
  }

  progress(): ClusterProgress {
    const all = this.workers.map((w) => w.progress).filter((p): p is WorkerProgress => p !== undefined);
    const max = (values: number[]): number => values.reduce((a, b) => Math.max(a, b), 0);
    const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
    return {
      launched: sum(all.map((p) => p.launched)),
      launchedAt: max(all.map((p) => p.launchedAt)),
      scheduled: sum(all.map((p) => p.scheduled)),
      scheduledAt: max(all.map((p) => p.scheduledAt)),
      electedAt: all.find((p) => p.electedAt !== undefined)?.electedAt,
      enginePasses: sum(all.map((p) => p.enginePasses)),
      engineCalls: all.flatMap((p) => p.engineCalls),
      warnings: sum(all.map((p) => p.warnings)),
      errors: sum(all.map((p) => p.errors)),
      lastProblem: all.map((p) => p.lastProblem).find((p) => p !== undefined),
    };
  }

  /**
   * Waits until `done(progress)`. Fails when a worker dies, or when nothing moves for `stallMs`
   * (a benchmark that cannot finish must still stop by itself).
   */
  async waitFor(what: string, done: (p: ClusterProgress) => boolean, stallMs = 120_000): Promise<ClusterProgress> {
    let last = '';
    let movedAt = Date.now();
    for (;;) {
      const current = this.progress();
      if (done(current)) return current;
      const dead = this.workers.find((w) => w.done);
      if (dead !== undefined) throw new Error(`worker ${dead.config.name} exited while waiting for ${what}`);
      const text = JSON.stringify([current.launched, current.scheduled, current.enginePasses]);
      if (text !== last) {
        last = text;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > stallMs) {
        throw new Error(`no progress for ${stallMs / 1000}s waiting for ${what}: ${JSON.stringify(current)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Resident memory of each worker process, by worker name. */
  async memory(): Promise<Record<string, MemorySample>> {
    const out: Record<string, MemorySample> = {};
    for (const w of this.workers) if (w.child.pid !== undefined && !w.done) out[w.config.name] = await sampleMemory(w.child.pid);
    return out;
  }

  /** CPU seconds used so far by each worker, by etcd and by this process. */
  async cpuSeconds(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const w of this.workers) if (w.child.pid !== undefined && !w.done) out[w.config.name] = await sampleCpuSeconds(w.child.pid);
    out['etcd'] = await sampleCpuSeconds(this.etcd.process.pid);
    out['bench'] = await sampleCpuSeconds();
    return out;
  }

  /** Hollow machines per worker name (the engine's worker has none unless it is a fleetd). */
  machinesByWorker(): Record<string, number> {
    return Object.fromEntries(this.workers.map((w) => [w.config.name, w.config.machines]));
  }

  /** Stops every worker (SIGKILL after a grace period), then etcd; keeps the logs if something went wrong. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.forget();
    for (const w of this.workers) send(w, { kind: 'stop' });
    await Promise.all(
      this.workers.map(async (w) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_GRACE_MS)));
        if ((await Promise.race([w.exited, late])) === 'late') {
          w.child.kill('SIGKILL');
          await w.exited;
        }
        clearTimeout(timer);
      }),
    );
    await this.etcd.stop();
    this.logSummary = await this.summarizeLogs();
    const { errors } = this.progress();
    if (errors === 0) await rm(this.workDir, { recursive: true, force: true });
    else process.stderr.write(`hollow cluster: ${errors} errors; worker logs kept in ${this.workDir}\n`);
  }

  /** After stop(): how often each warning and error was logged (from the first lines kept per worker). */
  logSummary: Record<string, number> = {};

  private async summarizeLogs(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const w of this.workers) {
      const text = await readFile(w.config.logFile, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          const { level, msg } = JSON.parse(line) as { level: string; msg: string };
          const key = `${level}: ${msg}`;
          counts[key] = (counts[key] ?? 0) + 1;
        } catch {
          // a line cut short by a kill
        }
      }
    }
    return counts;
  }

  /** The first lines of the workers' warning/error logs (for a failure report). */
  async problems(lines = 20): Promise<string> {
    const out: string[] = [];
    for (const w of this.workers) {
      const text = await readFile(w.config.logFile, 'utf8').catch(() => '');
      out.push(...text.split('\n').filter((l) => l !== '').slice(0, lines).map((l) => `${w.config.name}: ${l}`));
    }
    return out.join('\n');
  }
}

function workerConfigs(options: HollowClusterOptions, endpoint: string, workDir: string): WorkerConfig[] {
  const base = {
    endpoint,
    prefix: DEFAULT_KEY_PREFIX,
    agentsPerClient: options.agentsPerClient ?? 50,
    ttlSeconds: options.ttlSeconds,
    engineReconcileMs: options.engineReconcileMs ?? 2_000,
  };
  const configs: WorkerConfig[] = [];
  const add = (name: string, firstMachine: number, machines: number, engine: boolean): void => {
    configs.push({ ...base, name, firstMachine, machines, engine, logFile: join(workDir, `${name}.log`) });
  };
  let next = 0;
  if (options.engine === 'in-fleetd') {
    add(ENGINE_WORKER, next, 1, true);
    next += 1;
  } else {
    add(ENGINE_WORKER, next, 0, true);
  }
  if (options.fleetdProcess === true && next < options.machines) {
    add(FLEETD_WORKER, next, 1, false);
    next += 1;
  }
  const rest = options.machines - next;
  const procs = Math.max(1, Math.min(options.agentProcs, rest));
  for (let i = 0; i < procs && rest > 0; i++) {
    const count = Math.floor(rest / procs) + (i < rest % procs ? 1 : 0);
    add(`agents-${i + 1}`, next, count, false);
    next += count;
  }
  return configs;
}

function spawnWorker(config: WorkerConfig, profileDir: string | undefined): WorkerHandle {
  const profile = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${config.name}-${Date.now()}.cpuprofile`];
  const child = fork(WORKER_JS, [JSON.stringify(config)], { execArgv: profile, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let resolveReady!: (value: { machines: number; ms: number }) => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<{ machines: number; ms: number }>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const handle: WorkerHandle = {
    config,
    child,
    progress: undefined,
    ready,
    done: false,
    exited: new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        handle.done = true;
        rejectReady(new Error(`worker ${config.name} exited (${code ?? signal}) before it was ready`));
        resolve();
      });
    }),
  };
  ready.catch(() => undefined);
  child.on('message', (message: FromWorker) => {
    if (message.kind === 'ready') resolveReady({ machines: message.machines, ms: message.ms });
    else if (message.kind === 'progress') handle.progress = message.progress;
    else if (message.kind === 'failed') rejectReady(new Error(`worker ${config.name} failed: ${message.error}`));
  });
  return handle;
}

function send(worker: WorkerHandle, message: ToWorker): void {
  if (!worker.done && worker.child.connected) worker.child.send(message);
}
