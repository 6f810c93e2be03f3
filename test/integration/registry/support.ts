import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import type { LogFields, Logger, MachineRecord, TargetState, UnitRecord, UnitStateRecord } from '@fleet/core';
import { createEtcdClient, LeaseKeeper, Leadership, type EtcdClient, type FencingGuard } from '@fleet/registry';
import { type EtcdServer, eventually, startEtcd } from '@fleet/testkit';

/**
 * A private etcd and a client on it for the enclosing describe block: started before its tests,
 * closed and stopped after them. Read `client` inside tests and hooks, not at declaration.
 */
export function privateEtcd(): { readonly client: EtcdClient; readonly server: EtcdServer } {
  return etcdFixture(false);
}

/** What privateEtcdWithLease gives the tests of its block. */
export interface EtcdWithLease {
  readonly client: EtcdClient;
  readonly server: EtcdServer;
  /** A lease (10 s TTL) for machine keys and states, revoked after the block. */
  readonly keeper: LeaseKeeper;
  /** Starts an engine election on `prefix` and waits until it leads; stopped after the block. */
  leadOn(prefix: string): Promise<{ readonly guard: FencingGuard; readonly leadership: Leadership }>;
  /** Stopped after the block, before the election, the lease and the client (e.g. engines). */
  stopFirst(stop: () => Promise<unknown>): void;
}

/** privateEtcd with a lease and engine elections, for registry and engine tests. */
export function privateEtcdWithLease(): EtcdWithLease {
  return etcdFixture(true);
}

function etcdFixture(withLease: true): EtcdWithLease;
function etcdFixture(withLease: false): { readonly client: EtcdClient; readonly server: EtcdServer };
function etcdFixture(withLease: boolean): EtcdWithLease {
  let server: EtcdServer | undefined;
  let client: EtcdClient | undefined;
  let keeper: LeaseKeeper | undefined;
  const stoppers: (() => Promise<unknown>)[] = [];
  const leaderships: Leadership[] = [];
  beforeAll(async () => {
    server = await startEtcd();
    client = createEtcdClient({ endpoints: [server.endpoint], callTimeoutMs: 5_000 });
    if (withLease) keeper = await LeaseKeeper.grant({ client, ttlSeconds: 10, logger: recordingLogger() });
  });
  afterAll(async () => {
    await Promise.allSettled(stoppers.map((stop) => stop()));
    await Promise.allSettled(leaderships.map((l) => l.stop()));
    await keeper?.revoke();
    client?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('etcd fixture: used outside a test or hook');
    return value;
  };
  return {
    get client() {
      return started(client);
    },
    get server() {
      return started(server);
    },
    get keeper() {
      return started(keeper);
    },
    async leadOn(prefix) {
      const leadership = new Leadership({ client: started(client), prefix, candidateId: 'engine', ttlSeconds: 5, logger: recordingLogger() });
      leaderships.push(leadership);
      leadership.start();
      const guard = await eventually(() => leadership.isLeader() && leadership.guard(), { what: 'leadership' });
      return { guard, leadership };
    },
    stopFirst(stop) {
      stoppers.push(stop);
    },
  };
}

/** A prefix no other test uses, so tests sharing one etcd never see each other's keys. */
export function uniquePrefix(what: string): string {
  return `/fleet-test/${what}-${randomBytes(4).toString('hex')}/`;
}

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly fields: LogFields;
}

/** A Logger that keeps every line (with its bound fields) for assertions. */
export function recordingLogger(lines: LogLine[] = [], bound: LogFields = {}): Logger & { lines: LogLine[] } {
  const at =
    (level: LogLine['level']) =>
    (msg: string, fields: LogFields = {}): void => {
      lines.push({ level, msg, fields: { ...bound, ...fields } });
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => recordingLogger(lines, { ...bound, ...fields }),
  };
}

export function unitRecord(name: string, contents: string, targetState: TargetState = 'inactive'): UnitRecord {
  return { name, hash: createHash('sha1').update(contents).digest('hex'), contents, targetState };
}

export function machineRecord(id: string, overrides: Partial<MachineRecord> = {}): MachineRecord {
  return {
    id,
    publicIp: '127.0.0.1',
    metadata: {},
    version: '0.1.0',
    dockerEndpoint: 'unix:///run/docker.sock',
    dockerVersion: '20.10.24',
    cpus: 2,
    memoryBytes: 1024,
    startedAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}

export function unitState(name: string, machineId: string, hash: string): UnitStateRecord {
  return { name, machineId, hash, loadState: 'loaded', activeState: 'active', subState: 'running' };
}
