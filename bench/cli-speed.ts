import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger, type UnitRecord } from '@fleet/core';
import { createEtcdClient, EtcdRegistry, Leadership, type EtcdClient, type LeaseRef, type ScheduleChange } from '@fleet/registry';
import { fleetctl, startEtcd } from '@fleet/testkit';
import { parseBenchArgs } from './lib/args.js';
import { buildFleetctlBundle, FLEETCTL_BIN } from './lib/fleetctl-bin.js';
import { onInterrupt } from './lib/interrupt.js';
import { isMain, runMain } from './lib/main.js';
import { summarize, type Summary } from './lib/percentiles.js';
import { describeEnvironment, environmentLine, writeResults } from './lib/results.js';
import { sleep } from './lib/sleep.js';
import { fixed, formatTable } from './lib/table.js';
import { succeeded, timedSpawn } from './lib/timed-spawn.js';

/**
 * Benchmark 5 (CLI part), fleetctl speed as a user sees it: wall time of the built bin, spawned
 * (node start-up, imports, etcd round trips, formatting), against a private etcd. The listings run
 * over a realistic keyspace seeded through the registry API: every unit submitted with target
 * `launched`, placed on one of 10 machines by a schedule write under a won engine election, and
 * reported `active running` by a state bound to a lease (as agents publish them), the machines'
 * keys bound to the same lease. The in-process `main()` figure of each listing separates the
 * process start from the work. Compared with fleet's Go fleetctl figures from issue 6.
 */
const USAGE = `node bench/dist/cli-speed.js [--runs=5] [--sizes=1000,10000] [--submit=1000] [--tag=T]
`;

export const MACHINES = 10;

export interface CliMeasure {
  readonly label: string;
  readonly runs: number;
  readonly summary: Summary;
  /** CPU time (user + system) of each run: what load on the machine hardly changes. */
  readonly cpu: Summary;
  /** Go fleetctl on the same task (issue 6), if given. */
  readonly goMs?: number;
  readonly targetMs?: number;
  readonly load1: number;
}

const unitText = (i: number): string =>
  `[Unit]\nDescription=Bench unit ${i}\n\n[Container]\nImage=fleet-test/busybox:1\nExec=/bin/sleep 3600\nPull=never\n`;

const unitName = (i: number): string => `seed-${String(i).padStart(5, '0')}.service`;

export const machineId = (m: number): string => createHash('md5').update(`bench-machine-${m}`).digest('hex');

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Adds units [from, to): unit records, their placement and their running state. */
export async function seed(registry: EtcdRegistry, leadership: Leadership, lease: LeaseRef, from: number, to: number): Promise<void> {
  const indexes = Array.from({ length: to - from }, (_, k) => from + k);
  const created = new Map<number, { record: UnitRecord; revision: string }>();
  await pool(indexes, 64, async (i) => {
    const contents = unitText(i);
    const record: UnitRecord = { name: unitName(i), hash: createHash('sha1').update(contents).digest('hex'), contents, targetState: 'launched' };
    const { entry } = await registry.createUnit(record, { global: false });
    created.set(i, { record, revision: entry.modRevision });
  });
  for (let start = 0; start < indexes.length; start += 500) {
    const changes: ScheduleChange[] = indexes.slice(start, start + 500).map((i) => {
      const { record, revision } = created.get(i)!;
      return { kind: 'schedule', machineId: machineId(i % MACHINES), unit: record, unitRevision: revision };
    });
    const result = await registry.applyScheduleChanges(changes, leadership.guard(), await registry.currentRevision());
    if (result.outcome !== 'applied') throw new Error(`seeding the schedule: ${result.outcome}`);
  }
  const startedAt = new Date().toISOString();
  await pool(indexes, 64, async (i) => {
    const { record } = created.get(i)!;
    await registry.publishState(
      {
        name: record.name,
        machineId: machineId(i % MACHINES),
        hash: record.hash,
        loadState: 'loaded',
        activeState: 'active',
        subState: 'running',
        containerId: randomBytes(32).toString('hex'),
        image: 'fleet-test/busybox:1',
        startedAt,
      },
      lease,
    );
  });
}

export async function measureCli(options: { runs: number; sizes: readonly number[]; submit: number }): Promise<CliMeasure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-cli-bench-'));
  const etcd = await startEtcd({ logFile: join(dir, 'etcd.log') });
  const client: EtcdClient = createEtcdClient({ endpoints: [etcd.endpoint], callTimeoutMs: 10_000 });
  const prefix = '/bench-list/';
  const registry = new EtcdRegistry({ client, logger: noopLogger, prefix });
  const leadership = new Leadership({ client, logger: noopLogger, candidateId: 'cli-bench', ttlSeconds: 60, prefix });
  const etcdLease = client.lease(3600, { autoKeepAlive: false });
  const teardown = async (): Promise<void> => {
    await leadership.stop().catch(() => undefined);
    await etcdLease.revoke().catch(() => undefined);
    client.close();
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const forget = onInterrupt(teardown);
  const results: CliMeasure[] = [];
  const flags = (keyPrefix: string): string[] => [`--endpoint=${etcd.endpoint}`, `--etcd-key-prefix=${keyPrefix}`];
  const spawned = async (label: string, args: readonly string[], runs: number, extra: { goMs?: number; targetMs?: number } = {}): Promise<void> => {
    const load1 = Math.round(loadavg()[0]! * 100) / 100;
    const samples: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < runs; r++) {
      const run = succeeded(await timedSpawn(process.execPath, [FLEETCTL_BIN, ...args], { cwd: dir }), `fleetctl ${label}`);
      samples.push(run.ms);
      cpu.push(run.cpuMs);
    }
    record({ label, runs, summary: summarize(samples), cpu: summarize(cpu), ...extra, load1 });
  };
  const inProcess = async (label: string, args: readonly string[], runs: number): Promise<void> => {
    const load1 = Math.round(loadavg()[0]! * 100) / 100;
    const samples: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const result = await fleetctl({ fleetctlFlags: [] }, args);
      if (result.code !== 0) throw new Error(`fleetctl ${label} exited ${result.code}: ${result.stderr}`);
      samples.push(performance.now() - t0);
      const used = process.cpuUsage(cpu0);
      cpu.push((used.user + used.system) / 1000);
    }
    record({ label, runs, summary: summarize(samples), cpu: summarize(cpu), load1 });
  };
  const record = (m: CliMeasure): void => {
    results.push(m);
    process.stdout.write(`  ${m.label}: median ${fixed(m.summary.p50, 0)} ms (min ${fixed(m.summary.min, 0)}), CPU ${fixed(m.cpu.p50, 0)} ms, load ${m.load1}\n`);
  };
  try {
    const runs = options.runs;
    await spawned('--help', ['--help'], Math.max(runs, 10), { targetMs: 150 });
    await spawned('version', ['version'], Math.max(runs, 10), { targetMs: 150 });

    // submit N distinct unit files in one call, each run into a fresh keyspace
    const files: string[] = [];
    for (let i = 0; i < options.submit; i++) {
      const file = `bench-${String(i).padStart(5, '0')}.service`;
      await writeFile(join(dir, file), unitText(i));
      files.push(file);
    }
    const submitSamples: number[] = [];
    const submitCpu: number[] = [];
    const submitLoad = Math.round(loadavg()[0]! * 100) / 100;
    for (let r = 0; r < runs; r++) {
      const run = succeeded(await timedSpawn(process.execPath, [FLEETCTL_BIN, ...flags(`/bench-submit-${r}/`), 'submit', ...files], { cwd: dir }), 'fleetctl submit');
      submitSamples.push(run.ms);
      submitCpu.push(run.cpuMs);
    }
    record({
      label: `submit ${options.submit.toLocaleString('en-US')} units (one call)`,
      runs,
      summary: summarize(submitSamples),
      cpu: summarize(submitCpu),
      ...(options.submit === 1000 ? { goMs: 3200 } : {}),
      load1: submitLoad,
    });

    // listings over a growing keyspace
    const machineLease = { id: await etcdLease.grant() };
    for (let m = 0; m < MACHINES; m++) {
      await registry.registerMachine(
        {
          id: machineId(m),
          publicIp: `10.0.0.${m + 1}`,
          metadata: { hostname: `bench${m}` },
          version: '0.1.0',
          dockerEndpoint: 'unix:///var/run/docker.sock',
          dockerVersion: '28.2.2',
          cpus: 2,
          memoryBytes: 24 * 1024 ** 3,
          startedAt: new Date().toISOString(),
        },
        machineLease,
      );
    }
    leadership.start();
    const deadline = Date.now() + 20_000;
    while (!leadership.isLeader()) {
      if (Date.now() > deadline) throw new Error('the seeding client did not win the engine election');
      await sleep(50);
    }
    let seeded = 0;
    for (const size of options.sizes) {
      const t0 = performance.now();
      await seed(registry, leadership, machineLease, seeded, size);
      seeded = size;
      process.stdout.write(`  seeded ${size.toLocaleString('en-US')} units in ${fixed((performance.now() - t0) / 1000, 1)} s\n`);
      const check = succeeded(await timedSpawn(process.execPath, [FLEETCTL_BIN, ...flags(prefix), 'list-units', '--no-legend']), 'list-units');
      const rows = check.stdout.split('\n').filter(Boolean).length;
      if (rows !== size) throw new Error(`list-units printed ${rows} rows, expected ${size}`);
      const n = size.toLocaleString('en-US');
      const go = size === 1000 ? 100 : size === 10_000 ? 810 : undefined;
      const target = size === 10_000 ? 500 : undefined;
      await spawned(`list-units, ${n} units`, [...flags(prefix), 'list-units'], runs, { ...(go === undefined ? {} : { goMs: go }), ...(target === undefined ? {} : { targetMs: target }) });
      await spawned(`list-unit-files, ${n} units`, [...flags(prefix), 'list-unit-files'], runs, go === undefined ? {} : { goMs: go });
      await inProcess(`list-units, ${n} units (main, in-process)`, [...flags(prefix), 'list-units'], runs);
      await inProcess(`list-unit-files, ${n} units (main, in-process)`, [...flags(prefix), 'list-unit-files'], runs);
    }
  } finally {
    forget();
    await teardown();
  }
  return results;
}

export function cliTable(results: readonly CliMeasure[]): string {
  const s = (ms: number | undefined): string => (ms === undefined ? '' : fixed(ms / 1000, 3));
  return formatTable(
    ['fleetctl', 'runs', 'min s', 'median s', 'max s', 'median CPU s', 'Go fleetctl s', 'target s', 'median vs target'],
    results.map((m) => [
      m.label,
      m.runs,
      s(m.summary.min),
      s(m.summary.p50),
      s(m.summary.max),
      s(m.cpu.p50),
      s(m.goMs),
      s(m.targetMs),
      m.targetMs === undefined ? '' : m.summary.p50 <= m.targetMs ? 'met' : `MISSED by ${fixed((m.summary.p50 - m.targetMs) / 1000, 3)} s`,
    ]),
  );
}

export async function runCliSpeedBenchmark(argv: readonly string[]): Promise<void> {
  const args = parseBenchArgs(argv, { runs: '5', sizes: '1000,10000', submit: '1000' }, USAGE);
  if (args === undefined) return;
  const bundle = await buildFleetctlBundle();
  const environment = await describeEnvironment();
  process.stdout.write(`\nfleetctl speed (spawned bin) — ${environmentLine(environment)}\n${bundle}\n`);
  const sizes = args.own.sizes.split(',').map((x) => Number(x.trim())).sort((a, b) => a - b);
  const options = { runs: Math.max(1, Number(args.own.runs)), sizes, submit: Math.max(1, Number(args.own.submit)) };
  const results = await measureCli(options);
  process.stdout.write(`\n${cliTable(results)}\n`);
  const loadAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  const file = await writeResults('cli-speed', { environment, loadAtEnd, options, results }, { tag: args.common.tag, dir: args.common.resultsDir });
  process.stdout.write(`results: ${file}\n`);
}

if (isMain(import.meta.url)) runMain(runCliSpeedBenchmark);
