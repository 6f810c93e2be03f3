import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';
import { freePort } from './ports.js';
import { spawnTracked, type TrackedProcess } from './processes.js';

export const ETCD_BIN = process.env['FLEET_TEST_ETCD'] ?? '/usr/bin/etcd';

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:40123 */
  readonly endpoint: string;
  readonly dataDir: string;
  readonly process: TrackedProcess;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/** Starts a private single-member etcd on free loopback ports with a temp data dir. */
export async function startEtcd(): Promise<EtcdServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fleet-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
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
    { logFile: join(dataDir, 'etcd.log'), env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch } },
  );
  await eventually(
    async () => {
      if (proc.hasExited()) throw new Error(`etcd exited early; see ${join(dataDir, 'etcd.log')}`);
      const res = await fetch(`${endpoint}/health`);
      const body = (await res.json()) as { health?: string };
      return body.health === 'true';
    },
    { timeoutMs: 20_000, what: 'etcd to become healthy' },
  );
  return {
    endpoint,
    dataDir,
    process: proc,
    async stop() {
      await proc.stop(5_000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
