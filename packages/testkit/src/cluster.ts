import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noopLogger } from '@fleet/core';
import { createEtcdClient, EtcdRegistry, Leadership, type EtcdClient } from '@fleet/registry';
import { provideTestImage, startDockerd, teardownDockerd, type DockerDaemon, type DockerdRecord } from './docker.js';
import { startEtcd, teardownEtcd, type EtcdRecord, type EtcdServer } from './etcd.js';
import { startEtcdCluster, type EtcdCluster } from './etcd-cluster.js';
import { eventually } from './eventually.js';
import { spawnTracked, stopProcess, type ProcessRecord, type TrackedProcess } from './processes.js';

/**
 * A local fleet cluster of real processes: one etcd, and per machine a private dockerd (with the
 * test image) and a `fleetd` process with its own machine id, state dir and metadata. fleetd runs
 * from the built `dist/` (the test script builds first).
 */
// This file sits in packages/testkit/src or packages/testkit/dist: two levels below packages/.
const PACKAGES = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FLEETD_BIN = join(PACKAGES, 'agent/bin/fleetd.js');

/** fleetd gets SIGTERM and this long to purge its containers before SIGKILL. */
const FLEETD_STOP_GRACE_MS = 20_000;

export interface MachineOptions {
  /** Names the machine's dockerd, logs and state dir ([a-z0-9-]); default `m<index>`. */
  readonly name?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly disableEngine?: boolean;
  readonly extraArgs?: readonly string[];
  /**
   * A loopback address of its own (e.g. `127.0.0.21`) on which etcd also listens and this fleetd
   * connects: `partitionFromEtcd` can then cut this machine off alone. Default: 127.0.0.1.
   */
  readonly etcdAddress?: string;
}

export interface ClusterOptions {
  readonly machines: number | readonly MachineOptions[];
  /** agent_ttl for every fleetd (default 2s: fast failover in tests). */
  readonly agentTtl?: string;
  readonly engineReconcileInterval?: string;
  readonly prefix?: string;
  /**
   * Holds `logs/` (every process's log), `machines/<name>/` (fleetd state dirs) and `etcd/`.
   * Default: a new temp dir, deleted by stop() unless FLEET_TEST_KEEP_LOGS is set.
   */
  readonly dir?: string;
  /** etcd's client port on 127.0.0.1 (default: a free one; single-member etcd only). */
  readonly etcdPort?: number;
  /** etcd cluster size (default 1). With more, every fleetd and fleetctl gets every member's URL. */
  readonly etcdMembers?: number;
  /** Every process outlives this one (the local cluster); tear it down later with teardownCluster. */
  readonly persistent?: boolean;
  /** Called each time a process has been spawned, with everything started so far. */
  readonly onRecord?: (record: ClusterRecord) => void | Promise<void>;
  /** Wait this long for every machine to register (default 30s). */
  readonly registerTimeoutMs?: number;
}

/** One fleetd as plain data. */
export interface FleetdRecord {
  readonly name: string;
  readonly machineId: string;
  readonly stateDir: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly publicIp: string;
  readonly dockerEndpoint: string;
  readonly process: ProcessRecord;
}

/** Everything a cluster started, as plain data: what the local cluster writes to its state file. */
export interface ClusterRecord {
  readonly dir: string;
  readonly prefix: string;
  readonly etcd?: EtcdRecord;
  /** The members of a multi-member etcd (ClusterOptions.etcdMembers > 1). */
  readonly etcdMembers?: readonly EtcdRecord[];
  readonly dockerds: readonly DockerdRecord[];
  readonly machines: readonly FleetdRecord[];
}

/** How to run one fleetd (startCluster fills it in). */
export interface FleetdSpec {
  readonly name: string;
  readonly machineId: string;
  readonly stateDir: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly publicIp: string;
  /** Everything after `fleetd.js` on its command line. */
  readonly args: readonly string[];
  readonly logDir: string;
  readonly persistent: boolean;
  /** MachineOptions.etcdAddress, if given. */
  readonly etcdAddress?: string;
}

export class FleetdMachine {
  readonly name: string;
  readonly machineId: string;
  readonly stateDir: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly publicIp: string;
  /** The loopback address this fleetd reaches etcd on (MachineOptions.etcdAddress), if its own. */
  readonly etcdAddress: string | undefined;
  process: TrackedProcess;

  constructor(
    readonly index: number,
    readonly docker: DockerDaemon,
    private readonly spec: FleetdSpec,
  ) {
    this.name = spec.name;
    this.machineId = spec.machineId;
    this.stateDir = spec.stateDir;
    this.metadata = spec.metadata;
    this.publicIp = spec.publicIp;
    this.etcdAddress = spec.etcdAddress;
    this.process = this.spawn();
  }

  get shortId(): string {
    return this.machineId.slice(0, 8);
  }

  get record(): FleetdRecord {
    return {
      name: this.name,
      machineId: this.machineId,
      stateDir: this.stateDir,
      metadata: this.metadata,
      publicIp: this.publicIp,
      dockerEndpoint: this.docker.endpoint,
      process: this.process.record,
    };
  }

  private spawn(): TrackedProcess {
    const env = { ...process.env };
    delete env['DOCKER_HOST'];
    return spawnTracked(`fleetd-${this.name}`, process.execPath, [FLEETD_BIN, ...this.spec.args], {
      logFile: join(this.spec.logDir, `fleetd-${this.name}.log`),
      env,
      persistent: this.spec.persistent,
    });
  }

  /** Starts fleetd again with the same machine id, state dir and dockerd (after stop/kill). */
  restart(): void {
    if (!this.process.hasExited()) throw new Error(`fleetd-${this.name} is still running`);
    this.process = this.spawn();
  }

  /** Graceful stop (SIGTERM): fleetd purges its units unless started with --keep-units. */
  async stop(): Promise<void> {
    await this.process.stop(FLEETD_STOP_GRACE_MS);
  }

  /** fleetd crash: SIGKILL, its containers keep running. */
  async kill(): Promise<void> {
    this.process.signal('SIGKILL');
    await this.process.exited;
  }

  /** Host death: SIGKILL fleetd and the whole Docker daemon with its containers. */
  async killHost(): Promise<void> {
    await this.kill();
    await this.docker.kill();
  }
}

export interface Cluster {
  /** The single etcd, or the first member of a multi-member one. */
  readonly etcd: EtcdServer;
  /** Every etcd member (one unless ClusterOptions.etcdMembers). */
  readonly etcdMembers: readonly EtcdServer[];
  /** Every member's 127.0.0.1 client URL. */
  readonly etcdEndpoints: readonly string[];
  /** Index in etcdMembers of the etcd raft leader now. */
  etcdLeader(): Promise<number | undefined>;
  readonly prefix: string;
  readonly machines: FleetdMachine[];
  readonly client: EtcdClient;
  /** A registry client for assertions. */
  readonly registry: EtcdRegistry;
  /** fleetctl global flags that reach this cluster. */
  readonly fleetctlFlags: readonly string[];
  /** See ClusterOptions.dir. */
  readonly dir: string;
  readonly logDir: string;
  /** Machine id of the current engine leader, if any. */
  engineLeader(): Promise<string | undefined>;
  /** What is running now, for teardownCluster from another process. */
  record(): ClusterRecord;
  /** Closes this process's etcd client and leaves every process running (persistent clusters). */
  detach(): void;
  stop(): Promise<void>;
}

/**
 * Runs every teardown step even when one fails, in dependency order: fleetd first (they stop and
 * remove their containers through dockerd and deregister in etcd), then the daemons, then etcd.
 */
async function teardownInOrder(steps: {
  fleetds: readonly (() => Promise<void>)[];
  dockerds: readonly (() => Promise<void>)[];
  etcd: (() => Promise<void>) | undefined;
}): Promise<void> {
  const failures: unknown[] = [];
  const run = async (stage: readonly (() => Promise<void>)[]): Promise<void> => {
    for (const r of await Promise.allSettled(stage.map((step) => step()))) if (r.status === 'rejected') failures.push(r.reason);
  };
  await run(steps.fleetds);
  await run(steps.dockerds);
  await run(steps.etcd === undefined ? [] : [steps.etcd]);
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} teardown steps failed`);
}

/**
 * Tears down a cluster from its record, in any process: SIGTERM each fleetd (SIGKILL after a
 * grace period), then each dockerd with everything it made, then etcd and its data; deletes the
 * fleetd state dirs. Processes are recognised by pid and start time, so nothing else is touched.
 * Safe to run again. Logs are left in `<dir>/logs`.
 */
export async function teardownCluster(record: ClusterRecord): Promise<void> {
  const etcds = [...(record.etcd === undefined ? [] : [record.etcd]), ...(record.etcdMembers ?? [])];
  await teardownInOrder({
    fleetds: record.machines.map((m) => () => stopProcess(m.process, FLEETD_STOP_GRACE_MS)),
    dockerds: record.dockerds.map((d) => () => teardownDockerd(d, 'stop')),
    etcd: etcds.length === 0 ? undefined : async () => void (await Promise.all(etcds.map((e) => teardownEtcd(e)))),
  });
  await Promise.all(record.machines.map((m) => rm(m.stateDir, { recursive: true, force: true })));
}

function machineSpecs(machines: ClusterOptions['machines']): (MachineOptions & { readonly name: string })[] {
  const specs: readonly MachineOptions[] =
    typeof machines === 'number' ? Array.from({ length: machines }, () => ({})) : machines;
  return specs.map((spec, i) => ({ ...spec, name: spec.name ?? `m${i}` }));
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const specs = machineSpecs(options.machines);
  const persistent = options.persistent === true;
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'fleet-cluster-')));
  const logDir = join(dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const prefix = options.prefix ?? `/fleet-test-${randomBytes(3).toString('hex')}/`;

  // What has been spawned so far, reported on every change so that a state file always lists it.
  let etcdRecord: EtcdRecord | undefined;
  let etcdMemberRecords: readonly EtcdRecord[] = [];
  const multiEtcd = (options.etcdMembers ?? 1) > 1;
  const listenAddresses = [...new Set(specs.flatMap((s) => (s.etcdAddress === undefined ? [] : [s.etcdAddress])))];
  const dockerdRecords = new Map<number, DockerdRecord>();
  const machines: FleetdMachine[] = [];
  const record = (): ClusterRecord => ({
    dir,
    prefix,
    ...(etcdRecord === undefined ? {} : { etcd: etcdRecord }),
    ...(etcdMemberRecords.length === 0 ? {} : { etcdMembers: etcdMemberRecords }),
    dockerds: specs.flatMap((_, i) => dockerdRecords.get(i) ?? []),
    machines: machines.map((m) => m.record),
  });
  const report = async (): Promise<void> => {
    await options.onRecord?.(record());
  };

  const startEtcds = async (): Promise<{ members: readonly EtcdServer[]; cluster?: EtcdCluster }> => {
    if (multiEtcd) {
      const cluster = await startEtcdCluster({
        members: options.etcdMembers!,
        dir: join(dir, 'etcd'),
        logDir,
        listenAddresses,
        persistent,
        onSpawn: async (records) => {
          etcdMemberRecords = records;
          await report();
        },
      });
      return { members: cluster.members, cluster };
    }
    const single = await startEtcd({
      dataDir: join(dir, 'etcd'),
      logFile: join(logDir, 'etcd.log'),
      listenAddresses,
      persistent,
      ...(options.etcdPort === undefined ? {} : { clientPort: options.etcdPort }),
      onSpawn: async (r) => {
        etcdRecord = r;
        await report();
      },
    });
    return { members: [single] };
  };
  const started = await Promise.allSettled([
    startEtcds(),
    ...specs.map((spec, i) =>
      startDockerd({
        name: spec.name,
        logFile: join(logDir, `dockerd-${spec.name}.log`),
        persistent,
        onSpawn: async (r) => {
          dockerdRecords.set(i, r);
          await report();
        },
      }),
    ),
  ]);
  const [etcdResult, ...dockerdResults] = started;
  const etcdStarted = etcdResult?.status === 'fulfilled' ? (etcdResult.value as Awaited<ReturnType<typeof startEtcds>>) : undefined;
  const etcdMembers = etcdStarted?.members ?? [];
  const etcd = etcdMembers[0];
  const daemons = dockerdResults.flatMap((r) => (r.status === 'fulfilled' ? [r.value as DockerDaemon] : []));

  let client: EtcdClient | undefined;
  const stopAll = async (): Promise<void> => {
    client?.close();
    await teardownInOrder({
      fleetds: machines.map((m) => () => m.stop()),
      dockerds: daemons.map((d) => () => d.stop()),
      etcd: etcdMembers.length === 0 ? undefined : async () => void (await Promise.all(etcdMembers.map((m) => m.stop()))),
    });
    await Promise.all(machines.map((m) => rm(m.stateDir, { recursive: true, force: true })));
  };
  const fail = async (error: unknown): Promise<never> => {
    await stopAll().catch(() => undefined);
    throw error;
  };

  const failed = started.find((r) => r.status === 'rejected');
  if (etcd === undefined || failed !== undefined) return fail((failed as PromiseRejectedResult).reason);
  try {
    await provideTestImage(daemons);
    for (const [i, spec] of specs.entries()) {
      const machineId = randomBytes(16).toString('hex');
      const docker = daemons[i] as DockerDaemon;
      const { name } = spec;
      const stateDir = join(dir, 'machines', name);
      const metadata = spec.metadata ?? { hostname: `smoke${i}` };
      const publicIp = `127.0.0.${i + 2}`;
      const etcdServers = etcdMembers.map((m) => (spec.etcdAddress === undefined ? m.endpoint : m.endpointOn(spec.etcdAddress)));
      const args = [
        '--etcd-servers', etcdServers.join(','),
        '--etcd-key-prefix', prefix,
        '--machine-id', machineId,
        '--state-dir', stateDir,
        '--docker-endpoint', docker.endpoint,
        '--public-ip', publicIp,
        '--agent-ttl', options.agentTtl ?? '2s',
        '--engine-reconcile-interval', options.engineReconcileInterval ?? '1s',
        '--metadata', Object.entries(metadata).map(([k, v]) => `${k}=${v}`).join(','),
        ...(spec.disableEngine === true ? ['--disable-engine'] : []),
        ...(spec.extraArgs ?? []),
      ];
      const etcdAddress = spec.etcdAddress === undefined ? {} : { etcdAddress: spec.etcdAddress };
      machines.push(new FleetdMachine(i, docker, { name, machineId, stateDir, metadata, publicIp, args, logDir, persistent, ...etcdAddress }));
      await report();
    }
  } catch (error) {
    return fail(error);
  }
  const etcdEndpoints = etcdMembers.map((m) => m.endpoint);
  client = createEtcdClient({ endpoints: etcdEndpoints });
  const registry = new EtcdRegistry({ client, logger: noopLogger, prefix });
  // Never started, so it never campaigns: only used to read who leads.
  const observer = new Leadership({ client, logger: noopLogger, candidateId: 'observer', ttlSeconds: 2, prefix });
  try {
    await eventually(async () => (await registry.listMachines()).length === machines.length, {
      timeoutMs: options.registerTimeoutMs ?? 30_000,
      what: `${machines.length} machines to register (logs in ${logDir})`,
    });
  } catch (error) {
    return fail(error);
  }
  const etcdClient = client;
  const etcdCluster = etcdStarted?.cluster;
  return {
    etcd,
    etcdMembers,
    etcdEndpoints,
    etcdLeader: async () => (etcdCluster === undefined ? (etcd.process.hasExited() ? undefined : 0) : etcdCluster.leader()),
    prefix,
    machines,
    client: etcdClient,
    registry,
    fleetctlFlags: [`--endpoint=${etcdEndpoints.join(',')}`, `--etcd-key-prefix=${prefix}`],
    dir,
    logDir,
    engineLeader: () => observer.currentLeader(),
    record,
    detach: () => etcdClient.close(),
    async stop() {
      await stopAll();
      if (ownsDir && process.env['FLEET_TEST_KEEP_LOGS'] === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
