import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';
import { freePort, isPortFree } from './ports.js';
import { spawnTracked, stopProcess, type ProcessRecord, type TrackedProcess } from './processes.js';

export const ETCD_BIN = process.env['FLEET_TEST_ETCD'] ?? '/usr/bin/etcd';

/** A private etcd as plain data: enough to stop it and delete its data from another process. */
export interface EtcdRecord {
  /** Client URL, e.g. http://127.0.0.1:40123 */
  readonly endpoint: string;
  readonly dataDir: string;
  readonly process: ProcessRecord;
}

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:40123 */
  readonly endpoint: string;
  readonly dataDir: string;
  /** The running process (a new one after restart()). */
  readonly process: TrackedProcess;
  readonly record: EtcdRecord;
  /** The client URL on another loopback address it listens on (EtcdOptions.listenAddresses). */
  endpointOn(address: string): string;
  /** SIGKILL (or the given signal), keeping the data: restart() brings the same member back. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the killed member again with its data, ports and addresses; resolves once healthy. */
  restart(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

export interface EtcdOptions {
  /** Client port on 127.0.0.1 (default: a free one). */
  readonly clientPort?: number;
  /** Created if missing and deleted on stop (default: a new temp dir). */
  readonly dataDir?: string;
  /** Default: etcd.log in the data dir (deleted with it). */
  readonly logFile?: string;
  /**
   * More loopback addresses (e.g. `127.0.0.12`) to serve clients on, same port: a test can give
   * each fleetd its own address and cut just that one off with iptables.
   */
  readonly listenAddresses?: readonly string[];
  /** Outlive this process; stop it later from `record` with teardownEtcd. */
  readonly persistent?: boolean;
  /** Called as soon as etcd is spawned, before it is healthy: the record to persist for teardown. */
  readonly onSpawn?: (record: EtcdRecord) => void | Promise<void>;
}

/** Stops the recorded etcd (SIGTERM, SIGKILL after 5s) and deletes its data; safe to repeat. */
export async function teardownEtcd(record: EtcdRecord): Promise<void> {
  await stopProcess(record.process, 5_000);
  await rm(record.dataDir, { recursive: true, force: true });
}

/** One member's fixed configuration: what it takes to start it, and to start it again. */
export interface EtcdMemberConfig {
  readonly name: string;
  /** Deleted by stop(); etcd's own data lives in `<dataDir>/data`. */
  readonly dataDir: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly listenAddresses: readonly string[];
  /** `name=http://127.0.0.1:<peer>,…` for every member. */
  readonly initialCluster: string;
  readonly clusterToken: string;
  readonly logFile: string;
  readonly persistent: boolean;
  readonly onSpawn?: (record: EtcdRecord) => void | Promise<void>;
}

/**
 * Spawns one etcd member; `waitHealthy()` then resolves once it answers `/health` (for a member
 * of a cluster that needs a quorum, so start every member before waiting on any).
 */
export function launchEtcdMember(config: EtcdMemberConfig): EtcdServer & { waitHealthy(): Promise<void> } {
  const endpoint = `http://127.0.0.1:${config.clientPort}`;
  const peer = `http://127.0.0.1:${config.peerPort}`;
  const clientUrls = [endpoint, ...config.listenAddresses.map((a) => `http://${a}:${config.clientPort}`)].join(',');
  const spawn = (state: 'new' | 'existing'): TrackedProcess =>
    spawnTracked(
      `etcd-${config.name}`,
      ETCD_BIN,
      [
        '--name', config.name,
        '--data-dir', join(config.dataDir, 'data'),
        '--listen-client-urls', clientUrls,
        '--advertise-client-urls', endpoint,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', config.initialCluster,
        '--initial-cluster-token', config.clusterToken,
        '--initial-cluster-state', state,
        '--heartbeat-interval', '100',
        '--election-timeout', '1000',
        '--log-level', 'warn',
      ],
      { logFile: config.logFile, env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch }, persistent: config.persistent },
    );
  let proc = spawn('new');
  const recordOf = (): EtcdRecord => ({ endpoint, dataDir: config.dataDir, process: proc.record });

  const waitHealthy = async (): Promise<void> => {
    await config.onSpawn?.(recordOf());
    const current = proc;
    try {
      const outcome = await eventually(
        async () => {
          if (current.hasExited()) return 'exited';
          const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1_000) });
          const body = (await res.json()) as { health?: string };
          if (body.health !== 'true') return false;
          // Whoever answers must be this etcd, not another one that holds the port.
          const list = await fetch(`${endpoint}/v3/cluster/member/list`, { method: 'POST', body: '{}' });
          const { members = [] } = (await list.json()) as { members?: { peerURLs?: string[] }[] };
          if (!members.some((m) => m.peerURLs?.includes(peer) === true)) {
            throw new Error(`another etcd answers on ${endpoint}`);
          }
          return 'healthy';
        },
        { timeoutMs: 20_000, what: `etcd ${config.name} to become healthy` },
      );
      if (outcome === 'exited') throw new Error(`etcd on ${endpoint} exited early`);
    } catch (error) {
      const log = (await readFile(config.logFile, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-20).join('\n');
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- etcd log ---\n${log}`);
    }
  };

  return {
    endpoint,
    dataDir: config.dataDir,
    get process() {
      return proc;
    },
    get record() {
      return recordOf();
    },
    endpointOn(address: string) {
      if (!config.listenAddresses.includes(address)) throw new Error(`etcd ${config.name} does not listen on ${address}`);
      return `http://${address}:${config.clientPort}`;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      proc.signal(signal);
      await proc.exited;
    },
    async restart() {
      if (!proc.hasExited()) throw new Error(`etcd ${config.name} is still running`);
      proc = spawn('existing');
      await waitHealthy();
    },
    waitHealthy,
    async stop() {
      // A persistent child is unref'd: waiting for its exit must keep the event loop alive.
      proc.child.ref();
      await teardownEtcd(recordOf());
      await proc.exited;
    },
  };
}

/** Starts a private single-member etcd on loopback ports with its own data directory. */
export async function startEtcd(options: EtcdOptions = {}): Promise<EtcdServer> {
  if (options.clientPort !== undefined && !(await isPortFree(options.clientPort))) {
    throw new Error(`cannot start etcd: 127.0.0.1:${options.clientPort} is already in use`);
  }
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'fleet-etcd-')));
  await mkdir(dataDir, { recursive: true });
  const clientPort = options.clientPort ?? (await freePort());
  const peerPort = await freePort();
  const server = launchEtcdMember({
    name: 'test',
    dataDir,
    clientPort,
    peerPort,
    listenAddresses: options.listenAddresses ?? [],
    initialCluster: `test=http://127.0.0.1:${peerPort}`,
    clusterToken: 'etcd-cluster',
    logFile: options.logFile ?? join(dataDir, 'etcd.log'),
    persistent: options.persistent === true,
    ...(options.onSpawn === undefined ? {} : { onSpawn: options.onSpawn }),
  });
  try {
    await server.waitHealthy();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
