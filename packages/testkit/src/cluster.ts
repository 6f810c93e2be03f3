import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noopLogger } from '@fleet/core';
import { createEtcdClient, EtcdRegistry, Leadership, type EtcdClient } from '@fleet/registry';
import { provideTestImage, startDockerd, type DockerDaemon } from './docker.js';
import { startEtcd, type EtcdServer } from './etcd.js';
import { eventually } from './eventually.js';
import { spawnTracked, type TrackedProcess } from './processes.js';

/**
 * A local fleet cluster of real processes: one etcd, and per machine a private dockerd (with the
 * test image) and a `fleetd` process with its own machine id, state dir and metadata. fleetd runs
 * from the built `dist/` (the test script builds first).
 */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FLEETD_BIN = join(REPO, 'packages/agent/bin/fleetd.js');

export interface MachineOptions {
  readonly metadata?: Readonly<Record<string, string>>;
  readonly disableEngine?: boolean;
  readonly extraArgs?: readonly string[];
}

export interface ClusterOptions {
  readonly machines: number | readonly MachineOptions[];
  /** agent_ttl for every fleetd (default 2s: fast failover in tests). */
  readonly agentTtl?: string;
  readonly engineReconcileInterval?: string;
  readonly prefix?: string;
}

export class FleetdMachine {
  process: TrackedProcess;
  constructor(
    readonly index: number,
    readonly machineId: string,
    readonly stateDir: string,
    readonly docker: DockerDaemon,
    private readonly args: readonly string[],
    private readonly logDir: string,
  ) {
    this.process = this.spawn();
  }

  get shortId(): string {
    return this.machineId.slice(0, 8);
  }

  private spawn(): TrackedProcess {
    const env = { ...process.env };
    delete env['DOCKER_HOST'];
    return spawnTracked(`fleetd-${this.index}`, process.execPath, [FLEETD_BIN, ...this.args], {
      logFile: join(this.logDir, `fleetd-${this.index}.log`),
      env,
    });
  }

  /** Starts fleetd again with the same machine id, state dir and dockerd (after stop/kill). */
  restart(): void {
    if (!this.process.hasExited()) throw new Error(`fleetd-${this.index} is still running`);
    this.process = this.spawn();
  }

  /** Graceful stop (SIGTERM): fleetd purges its units unless started with --keep-units. */
  async stop(): Promise<void> {
    await this.process.stop(20_000);
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
  readonly etcd: EtcdServer;
  readonly prefix: string;
  readonly machines: FleetdMachine[];
  readonly client: EtcdClient;
  /** A registry client for assertions. */
  readonly registry: EtcdRegistry;
  /** fleetctl global flags that reach this cluster. */
  readonly fleetctlFlags: readonly string[];
  readonly logDir: string;
  /** Machine id of the current engine leader, if any. */
  engineLeader(): Promise<string | undefined>;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const specs: readonly MachineOptions[] =
    typeof options.machines === 'number' ? Array.from({ length: options.machines }, () => ({})) : options.machines;
  const logDir = await mkdtemp(join(tmpdir(), 'fleet-cluster-'));
  const prefix = options.prefix ?? `/fleet-test-${randomBytes(3).toString('hex')}/`;
  const [etcd, ...daemons] = await Promise.all([
    startEtcd(),
    ...specs.map((_, i) => startDockerd({ name: `m${i}` })),
  ] as const);
  await provideTestImage(daemons as DockerDaemon[]);
  const machines = specs.map((spec, i) => {
    const machineId = randomBytes(16).toString('hex');
    const docker = daemons[i] as DockerDaemon;
    const stateDir = join(logDir, `state-${i}`);
    const metadata = spec.metadata ?? { hostname: `smoke${i}` };
    const args = [
      '--etcd-servers', etcd.endpoint,
      '--etcd-key-prefix', prefix,
      '--machine-id', machineId,
      '--state-dir', stateDir,
      '--docker-endpoint', docker.endpoint,
      '--public-ip', `127.0.0.${i + 2}`,
      '--agent-ttl', options.agentTtl ?? '2s',
      '--engine-reconcile-interval', options.engineReconcileInterval ?? '1s',
      '--metadata', Object.entries(metadata).map(([k, v]) => `${k}=${v}`).join(','),
      ...(spec.disableEngine === true ? ['--disable-engine'] : []),
      ...(spec.extraArgs ?? []),
    ];
    return new FleetdMachine(i, machineId, stateDir, docker, args, logDir);
  });
  const client = createEtcdClient({ endpoints: [etcd.endpoint] });
  const registry = new EtcdRegistry({ client, logger: noopLogger, prefix });
  // Never started, so it never campaigns: only used to read who leads.
  const observer = new Leadership({ client, logger: noopLogger, candidateId: 'observer', ttlSeconds: 2, prefix });
  await eventually(async () => (await registry.listMachines()).length === machines.length, {
    timeoutMs: 30_000,
    what: `${machines.length} machines to register (logs in ${logDir})`,
  });
  return {
    etcd,
    prefix,
    machines,
    client,
    registry,
    fleetctlFlags: [`--endpoint=${etcd.endpoint}`, `--etcd-key-prefix=${prefix}`],
    logDir,
    engineLeader: () => observer.currentLeader(),
    async stop() {
      await Promise.allSettled(machines.map((m) => m.stop()));
      client.close();
      await Promise.allSettled(daemons.map((d) => (d as DockerDaemon).stop()));
      await etcd.stop();
      if (process.env['FLEET_TEST_KEEP_LOGS'] === undefined) await rm(logDir, { recursive: true, force: true });
    },
  };
}
