import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import type { LogFields, Logger, MachineRecord, TargetState, UnitRecord, UnitStateRecord } from '@fleet/core';
import { createEtcdClient, type EtcdClient } from '@fleet/registry';
import { type EtcdServer, startEtcd } from '@fleet/testkit';

/**
 * A private etcd and a client on it for the enclosing describe block: started before its tests,
 * closed and stopped after them. Read `client` inside tests and hooks, not at declaration.
 */
export function privateEtcd(): { readonly client: EtcdClient; readonly server: EtcdServer } {
  let server: EtcdServer | undefined;
  let client: EtcdClient | undefined;
  beforeAll(async () => {
    server = await startEtcd();
    client = createEtcdClient({ endpoints: [server.endpoint], callTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('privateEtcd: used outside a test or hook');
    return value;
  };
  return {
    get client() {
      return started(client);
    },
    get server() {
      return started(server);
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
