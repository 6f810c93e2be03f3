import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchEtcdMember, type EtcdRecord, type EtcdServer } from './etcd.js';
import { freePort } from './ports.js';

/**
 * A multi-member etcd cluster on loopback (toolchain.md §5): every member on its own free client
 * and peer ports and its own data dir, started together. Members can be killed and restarted
 * (`--initial-cluster-state existing`) to test what fleet does when etcd members fail.
 */
export interface EtcdClusterOptions {
  /** Default 3. */
  readonly members?: number;
  /** Holds `e<i>/` (each member's data; deleted on stop). Default: a new temp dir, deleted on stop. */
  readonly dir?: string;
  /** Where each member logs (`etcd-e<i>.log`); default: its data dir. */
  readonly logDir?: string;
  /** Extra loopback addresses every member serves clients on (see EtcdOptions.listenAddresses). */
  readonly listenAddresses?: readonly string[];
  readonly persistent?: boolean;
  /** Called each time a member is spawned, with every member's record so far. */
  readonly onSpawn?: (records: readonly EtcdRecord[]) => void | Promise<void>;
}

export interface EtcdCluster {
  readonly members: readonly EtcdServer[];
  /** Every member's 127.0.0.1 client URL, in member order. */
  readonly endpoints: readonly string[];
  /** Every member's client URL on `address` (one of listenAddresses). */
  endpointsOn(address: string): string[];
  /** Index of the member that is raft leader now, asking each live member (undefined: none). */
  leader(): Promise<number | undefined>;
  records(): EtcdRecord[];
  /** Stops every member (by pid) and deletes all data. */
  stop(): Promise<void>;
}

interface StatusResponse {
  readonly header?: { readonly member_id?: string };
  readonly leader?: string;
}

/** What one member says about itself and the leader (etcd's /v3/maintenance/status). */
async function memberStatus(endpoint: string): Promise<StatusResponse | undefined> {
  try {
    const res = await fetch(`${endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1_000) });
    return res.ok ? ((await res.json()) as StatusResponse) : undefined;
  } catch {
    return undefined;
  }
}

export async function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const count = options.members ?? 3;
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'fleet-etcd-cluster-')));
  const ports = [];
  for (let i = 0; i < count; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const initialCluster = ports.map((p, i) => `e${i}=http://127.0.0.1:${p.peer}`).join(',');
  const clusterToken = `fleet-test-${randomBytes(4).toString('hex')}`;
  const members: (EtcdServer & { waitHealthy(): Promise<void> })[] = [];
  const records = (): EtcdRecord[] => members.map((m) => m.record);
  for (const [i, p] of ports.entries()) {
    const dataDir = join(dir, `e${i}`);
    await mkdir(dataDir, { recursive: true });
    members.push(
      launchEtcdMember({
        name: `e${i}`,
        dataDir,
        clientPort: p.client,
        peerPort: p.peer,
        listenAddresses: options.listenAddresses ?? [],
        initialCluster,
        clusterToken,
        logFile: join(options.logDir ?? dataDir, `etcd-e${i}.log`),
        persistent: options.persistent === true,
        onSpawn: async () => {
          await options.onSpawn?.(records());
        },
      }),
    );
  }
  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.endpoint),
    endpointsOn: (address) => members.map((m) => m.endpointOn(address)),
    async leader() {
      for (const [i, m] of members.entries()) {
        if (m.process.hasExited()) continue;
        const status = await memberStatus(m.endpoint);
        if (status?.leader === undefined || status.leader === '0') continue;
        if (status.header?.member_id === status.leader) return i;
      }
      return undefined;
    },
    records,
    async stop() {
      await Promise.allSettled(members.map((m) => m.stop()));
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    // Each member is healthy only once a quorum has formed: all are spawned before any is awaited.
    await Promise.all(members.map((m) => m.waitHealthy()));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
