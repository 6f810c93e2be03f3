import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { CONTAINER_LABELS } from '@fleet/core';
import type { RegistryEvent, RegistryWatch } from '@fleet/registry';
import {
  FleetdMachine,
  fleetctl,
  loopUnit,
  provideTestImage,
  startCluster,
  startDockerd,
  unitDir,
  type Cluster,
  type DockerDaemon,
} from '@fleet/testkit';
import { parseBenchArgs, parseList } from './lib/args.js';
import { onInterrupt } from './lib/interrupt.js';
import { isMain, runMain } from './lib/main.js';
import { dockerTimeMs, epochMs, summarize, type Summary } from './lib/percentiles.js';
import { describeEnvironment, environmentLine, writeResults } from './lib/results.js';
import { sleep } from './lib/sleep.js';
import { fixed, formatTable } from './lib/table.js';

/**
 * Benchmark 2, failover: a cluster of real fleetd processes, each driving its own dockerd. Each
 * trial SIGKILLs the fleetd and the dockerd (with its containers) of the machine that hosts the
 * most units, then times, per unit it hosted, kill → its container running on another machine
 * (the survivors' daemons are polled every 50 ms). Watches on etcd time the steps in between:
 * the dead machine's lease expiring (its key deleted), the engine writing the new placement, and
 * Docker's own StartedAt of the new container. A fresh dockerd + fleetd (a replacement host, new
 * machine id) then joins before the next trial. Repeated at each agent_ttl.
 */
const USAGE = `node bench/dist/failover.js [--ttls=5,2] [--trials=10] [--machines=3] [--units=6] [--tag=T]
  --ttls      agent_ttl values in seconds (5 is fleetd's default)
  --trials    kills per agent_ttl
`;

const POLL_MS = 50;
/** fleetd's default engine_reconcile_interval (the engine also reacts to watch events at once). */
const ENGINE_INTERVAL = '2s';

export interface UnitMove {
  readonly unit: string;
  readonly from: string;
  readonly to: string;
  /** Milliseconds after the SIGKILL of the victim's fleetd. */
  readonly leaseExpiredMs: number;
  readonly scheduledMs: number;
  /** Docker's State.StartedAt of the new container. */
  readonly containerStartedMs: number;
  /** The poll first saw it running: the failover time. */
  readonly runningMs: number;
  /** The new host published active/running (what `fleetctl list-units` shows). */
  readonly reportedMs: number;
}

export interface Trial {
  readonly trial: number;
  readonly victim: string;
  readonly victimWasEngineLeader: boolean;
  readonly moves: readonly UnitMove[];
  readonly load1: number;
}

export interface TtlResult {
  readonly agentTtlMs: number;
  readonly trials: readonly Trial[];
  /** Failover time of every moved unit. */
  readonly perUnit: Summary;
  /** Failover time of each trial's last unit. */
  readonly perTrial: Summary;
  /** Medians of the steps, over every moved unit. */
  readonly steps: {
    readonly killToLeaseExpiry: Summary;
    readonly expiryToScheduled: Summary;
    readonly scheduledToStarted: Summary;
    readonly startedToSeen: Summary;
    readonly killToReported: Summary;
  };
  readonly targetMs: number;
}

interface Observed {
  readonly at: number;
  readonly event: RegistryEvent;
}

/** Every registry event of one kind, stamped as it arrives. */
class EventLog {
  readonly events: Observed[] = [];
  private readonly watches: RegistryWatch[] = [];

  async watch(cluster: Cluster): Promise<void> {
    const handler = {
      onEvent: (event: RegistryEvent): void => void this.events.push({ at: epochMs(), event }),
      onResync: (): void => undefined,
    };
    for (const kind of ['machines', 'schedule', 'states'] as const) {
      this.watches.push(await cluster.registry.watchPrefix({ kind }, undefined, handler));
    }
  }

  firstAfter(since: number, match: (event: RegistryEvent) => boolean): number | undefined {
    return this.events.find((o) => o.at >= since && match(o.event))?.at;
  }

  async close(): Promise<void> {
    await Promise.all(this.watches.map((w) => w.close()));
  }
}

/** unit → machine id, for every running fleet container on the live machines. */
async function runningUnits(machines: readonly FleetdMachine[]): Promise<Map<string, { machine: FleetdMachine; id: string }>> {
  const hosts = new Map<string, { machine: FleetdMachine; id: string }>();
  const lists = await Promise.all(
    machines.map((m) => m.docker.docker.listContainers({ filters: { label: [CONTAINER_LABELS.unit], status: ['running'] } })),
  );
  for (const [i, list] of lists.entries()) {
    for (const c of list) {
      const unit = c.Labels[CONTAINER_LABELS.unit];
      if (unit !== undefined) hosts.set(unit, { machine: machines[i]!, id: c.Id });
    }
  }
  return hosts;
}

/** A replacement host for machine `index`: a fresh dockerd with the test image and a new fleetd. */
async function replaceMachine(
  cluster: Cluster,
  index: number,
  generation: number,
  ttl: string,
  daemons: DockerDaemon[],
): Promise<FleetdMachine> {
  const name = `m${index}g${generation}`;
  const docker = await startDockerd({ name, logFile: join(cluster.logDir, `dockerd-${name}.log`) });
  daemons.push(docker);
  const donor = cluster.machines.find((m, i) => i !== index && !m.process.hasExited());
  await provideTestImage([donor!.docker, docker]);
  const machineId = randomBytes(16).toString('hex');
  const stateDir = join(cluster.dir, 'machines', name);
  const publicIp = `127.0.0.${index + 2}`;
  const metadata = { hostname: name };
  const args = [
    '--etcd-servers', cluster.etcdEndpoints.join(','),
    '--etcd-key-prefix', cluster.prefix,
    '--machine-id', machineId,
    '--state-dir', stateDir,
    '--docker-endpoint', docker.endpoint,
    '--public-ip', publicIp,
    '--agent-ttl', ttl,
    '--engine-reconcile-interval', ENGINE_INTERVAL,
    '--metadata', `hostname=${name}`,
  ];
  const machine = new FleetdMachine(index, docker, { name, machineId, stateDir, metadata, publicIp, args, logDir: cluster.logDir, persistent: false });
  // cluster.stop() stops whatever fleetd is in this list; the daemon is ours to stop after it.
  cluster.machines[index] = machine;
  await waitFor(async () => (await cluster.registry.listMachines()).some((e) => e.machine.id === machineId), 30_000, `${name} to register`);
  return machine;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

async function runTrial(cluster: Cluster, log: EventLog, trial: number, units: readonly string[], ttlMs: number): Promise<Trial> {
  const before = await runningUnits(cluster.machines);
  const counts = cluster.machines.map((m) => [...before.values()].filter((h) => h.machine === m).length);
  const most = Math.max(...counts);
  // The machine with the most units; ties rotate so that the engine leader is sometimes the victim.
  const tied = cluster.machines.filter((_, i) => counts[i] === most);
  const victim = tied[trial % tied.length]!;
  const leader = await cluster.engineLeader();
  const moved = units.filter((u) => before.get(u)?.machine === victim);
  const survivors = cluster.machines.filter((m) => m !== victim);
  const load1 = Math.round(loadavg()[0]! * 100) / 100;

  const killedAt = epochMs();
  const killing = victim.killHost();
  const seen = new Map<string, { at: number; machine: FleetdMachine; id: string }>();
  const deadline = killedAt + ttlMs + 60_000;
  while (seen.size < moved.length) {
    if (Date.now() > deadline) throw new Error(`trial ${trial}: ${moved.filter((u) => !seen.has(u)).join(', ')} did not move within ${deadline - killedAt} ms`);
    const now = await runningUnits(survivors);
    const at = epochMs();
    for (const unit of moved) {
      const host = now.get(unit);
      if (host !== undefined && !seen.has(unit)) seen.set(unit, { at, ...host });
    }
    if (seen.size < moved.length) await sleep(POLL_MS);
  }
  await killing;
  // The new host publishes its state within a pass; give it a moment to arrive.
  await waitFor(async () => moved.every((u) => reportedAt(log, u, victim.machineId, killedAt) !== undefined), 10_000, 'states of moved units').catch(() => undefined);

  const expiry = log.firstAfter(killedAt, (e) => e.kind === 'machines' && e.type === 'delete' && e.machineId === victim.machineId);
  const moves: UnitMove[] = [];
  for (const unit of moved) {
    const host = seen.get(unit)!;
    const scheduled = log.firstAfter(
      killedAt,
      (e) => e.kind === 'schedule' && e.type === 'put' && e.entry.unit.name === unit && e.entry.machineId !== victim.machineId,
    );
    const inspect = await host.machine.docker.docker.getContainer(host.id).inspect();
    const rel = (t: number | undefined): number => (t === undefined ? Number.NaN : Math.round((t - killedAt) * 10) / 10);
    moves.push({
      unit,
      from: victim.name,
      to: host.machine.name,
      leaseExpiredMs: rel(expiry),
      scheduledMs: rel(scheduled),
      containerStartedMs: rel(dockerTimeMs(inspect.State.StartedAt)),
      runningMs: rel(host.at),
      reportedMs: rel(reportedAt(log, unit, victim.machineId, killedAt)),
    });
  }
  return { trial, victim: victim.name, victimWasEngineLeader: leader === victim.machineId, moves, load1 };
}

function reportedAt(log: EventLog, unit: string, victimId: string, since: number): number | undefined {
  return log.firstAfter(
    since,
    (e) =>
      e.kind === 'states' &&
      e.type === 'put' &&
      e.entry.state.name === unit &&
      e.entry.state.machineId !== victimId &&
      e.entry.state.activeState === 'active' &&
      e.entry.state.subState === 'running',
  );
}

export async function measureFailover(options: { ttlSeconds: number; trials: number; machines: number; units: number }): Promise<TtlResult> {
  const ttl = `${options.ttlSeconds}s`;
  const ttlMs = options.ttlSeconds * 1000;
  const cluster = await startCluster({ machines: options.machines, agentTtl: ttl, engineReconcileInterval: ENGINE_INTERVAL });
  const daemons: DockerDaemon[] = [];
  const log = new EventLog();
  const names = Array.from({ length: options.units }, (_, i) => `failover-${i}.service`);
  const dir = await unitDir(Object.fromEntries(names.map((n) => [n, loopUnit()])));
  const teardown = async (): Promise<void> => {
    await log.close().catch(() => undefined);
    await cluster.stop();
    await Promise.all(daemons.map((d) => d.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  const forget = onInterrupt(teardown);
  try {
    await log.watch(cluster);
    const started = await fleetctl(cluster, ['start', ...names.map((n) => join(dir, n))]);
    if (started.code !== 0) throw new Error(`fleetctl start failed: ${started.stderr}`);
    const trials: Trial[] = [];
    for (let trial = 0; trial < options.trials; trial++) {
      await waitFor(async () => (await runningUnits(cluster.machines)).size === names.length, 60_000, 'every unit to run');
      const result = await runTrial(cluster, log, trial, names, ttlMs);
      trials.push(result);
      const worst = Math.max(...result.moves.map((m) => m.runningMs));
      process.stdout.write(
        `  ttl ${ttl} trial ${trial + 1}/${options.trials}: killed ${result.victim}${result.victimWasEngineLeader ? ' (engine leader)' : ''}, ` +
          `${result.moves.length} units moved, last running after ${fixed(worst / 1000, 2)} s (load ${result.load1})\n`,
      );
      const index = cluster.machines.findIndex((m) => m.name === result.victim);
      await replaceMachine(cluster, index, trial + 1, ttl, daemons);
    }
    const moves = trials.flatMap((t) => t.moves);
    const finite = (xs: number[]): number[] => xs.filter(Number.isFinite);
    return {
      agentTtlMs: ttlMs,
      trials,
      perUnit: summarize(moves.map((m) => m.runningMs)),
      perTrial: summarize(trials.map((t) => Math.max(...t.moves.map((m) => m.runningMs)))),
      steps: {
        killToLeaseExpiry: summarize(finite(moves.map((m) => m.leaseExpiredMs))),
        expiryToScheduled: summarize(finite(moves.map((m) => m.scheduledMs - m.leaseExpiredMs))),
        scheduledToStarted: summarize(finite(moves.map((m) => m.containerStartedMs - m.scheduledMs))),
        startedToSeen: summarize(finite(moves.map((m) => m.runningMs - m.containerStartedMs))),
        killToReported: summarize(finite(moves.map((m) => m.reportedMs))),
      },
      targetMs: ttlMs + 2000,
    };
  } finally {
    forget();
    await teardown();
  }
}

const s = (ms: number): string => fixed(ms / 1000, 2);

export function failoverTable(results: readonly TtlResult[]): string {
  const rows = results.flatMap((r) => [
    [`${r.agentTtlMs / 1000}s`, 'kill → running elsewhere (per unit)', r.perUnit.n, s(r.perUnit.p50), s(r.perUnit.p95), s(r.perUnit.max), s(r.targetMs), r.perUnit.p50 <= r.targetMs ? 'met' : `MISSED by ${s(r.perUnit.p50 - r.targetMs)} s`],
    [`${r.agentTtlMs / 1000}s`, 'kill → last unit running (per trial)', r.perTrial.n, s(r.perTrial.p50), s(r.perTrial.p95), s(r.perTrial.max), '', ''],
    [`${r.agentTtlMs / 1000}s`, '  kill → lease expired', r.steps.killToLeaseExpiry.n, s(r.steps.killToLeaseExpiry.p50), s(r.steps.killToLeaseExpiry.p95), s(r.steps.killToLeaseExpiry.max), '', ''],
    [`${r.agentTtlMs / 1000}s`, '  expiry → engine placed it', r.steps.expiryToScheduled.n, s(r.steps.expiryToScheduled.p50), s(r.steps.expiryToScheduled.p95), s(r.steps.expiryToScheduled.max), '', ''],
    [`${r.agentTtlMs / 1000}s`, '  placed → container started', r.steps.scheduledToStarted.n, s(r.steps.scheduledToStarted.p50), s(r.steps.scheduledToStarted.p95), s(r.steps.scheduledToStarted.max), '', ''],
    [`${r.agentTtlMs / 1000}s`, '  started → seen by the poll', r.steps.startedToSeen.n, s(r.steps.startedToSeen.p50), s(r.steps.startedToSeen.p95), s(r.steps.startedToSeen.max), '', ''],
    [`${r.agentTtlMs / 1000}s`, 'kill → state reported running', r.steps.killToReported.n, s(r.steps.killToReported.p50), s(r.steps.killToReported.p95), s(r.steps.killToReported.max), '', ''],
  ]);
  return formatTable(['agent_ttl', 'measure (s)', 'n', 'p50', 'p95', 'max', 'target p50', 'p50 vs target'], rows);
}

export async function runFailoverBenchmark(argv: readonly string[]): Promise<void> {
  const args = parseBenchArgs(argv, { ttls: '5,2', trials: '10', machines: '3', units: '6' }, USAGE);
  if (args === undefined) return;
  const environment = await describeEnvironment();
  process.stdout.write(`\nFailover (real fleetd + dockerd) — ${environmentLine(environment)}\n`);
  const machines = Math.max(2, Number(args.own.machines));
  const units = Math.max(1, Number(args.own.units));
  const trials = Math.max(1, Number(args.own.trials));
  const results: TtlResult[] = [];
  for (const ttlSeconds of parseList(args.own.ttls)) {
    results.push(await measureFailover({ ttlSeconds, trials, machines, units }));
  }
  process.stdout.write(`\n${failoverTable(results)}\n`);
  const loadAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  const file = await writeResults(
    'failover',
    { environment, loadAtEnd, options: { machines, units, trials, engineReconcileInterval: ENGINE_INTERVAL }, results },
    { tag: args.common.tag, dir: args.common.resultsDir },
  );
  process.stdout.write(`results: ${file}\n`);
}

if (isMain(import.meta.url)) runMain(runFailoverBenchmark);
