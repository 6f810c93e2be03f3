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
  readonly process: TrackedProcess;
  readonly record: EtcdRecord;
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

/** Starts a private single-member etcd on loopback ports with its own data directory. */
export async function startEtcd(options: EtcdOptions = {}): Promise<EtcdServer> {
  if (options.clientPort !== undefined && !(await isPortFree(options.clientPort))) {
    throw new Error(`cannot start etcd: 127.0.0.1:${options.clientPort} is already in use`);
  }
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'fleet-etcd-')));
  await mkdir(dataDir, { recursive: true });
  const clientPort = options.clientPort ?? (await freePort());
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const logFile = options.logFile ?? join(dataDir, 'etcd.log');
  const proc = spawnTracked(
    'etcd',
    ETCD_BIN,
    [
      '--name', 'test',
      '--data-dir', join(dataDir, 'data'),
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `test=${peer}`,
      '--initial-cluster-state', 'new',
      '--heartbeat-interval', '100',
      '--election-timeout', '1000',
      '--log-level', 'warn',
    ],
    { logFile, env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch }, persistent: options.persistent === true },
  );
  const record: EtcdRecord = { endpoint, dataDir, process: proc.record };
  const server: EtcdServer = {
    endpoint,
    dataDir,
    process: proc,
    record,
    async stop() {
      // A persistent child is unref'd: waiting for its exit must keep the event loop alive.
      proc.child.ref();
      await teardownEtcd(record);
      await proc.exited;
    },
  };
  try {
    await options.onSpawn?.(record);
    const outcome = await eventually(
      async () => {
        if (proc.hasExited()) return 'exited';
        const res = await fetch(`${endpoint}/health`);
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
      { timeoutMs: 20_000, what: 'etcd to become healthy' },
    );
    if (outcome === 'exited') throw new Error(`etcd on ${endpoint} exited early`);
  } catch (error) {
    const log = (await readFile(logFile, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-20).join('\n');
    await server.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- etcd log ---\n${log}`);
  }
  return server;
}
