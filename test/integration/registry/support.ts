import { createHash, randomBytes } from 'node:crypto';
import type { LogFields, Logger, MachineRecord, TargetState, UnitRecord, UnitStateRecord } from '@fleet/core';

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
