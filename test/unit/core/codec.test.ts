import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  RecordInvalidError,
  TARGET_STATES,
  decodeMachineRecord,
  decodeScheduledUnit,
  decodeStoredUnit,
  decodeUnitStateRecord,
  decodeUnschedulableRecord,
  encodeMachineRecord,
  encodeScheduledUnit,
  encodeStoredUnit,
  encodeUnitStateRecord,
  encodeUnschedulableRecord,
  type MachineRecord,
  type StoredUnit,
  type UnitStateRecord,
} from '@fleet/core';

const HASH = 'a'.repeat(40);
const UNIT: StoredUnit = {
  name: 'hello.service',
  hash: HASH,
  contents: '[Service]\nExecStart=/bin/true\n',
  targetState: 'launched',
  global: false,
};
const MACHINE: MachineRecord = {
  id: '0123456789abcdef0123456789abcdef',
  publicIp: '10.0.0.1',
  metadata: { region: 'eu' },
  version: '0.1.0',
  dockerEndpoint: 'unix:///var/run/docker.sock',
  dockerVersion: '20.10.24',
  cpus: 2,
  memoryBytes: 24 * 2 ** 30,
  startedAt: '2026-11-25T10:00:00.000Z',
};
const STATE: UnitStateRecord = {
  name: 'hello.service',
  machineId: MACHINE.id,
  hash: HASH,
  loadState: 'loaded',
  activeState: 'active',
  subState: 'running',
  containerId: 'c0ffee',
  image: 'busybox:latest',
  startedAt: '2026-11-25T10:00:01.000Z',
  restartCount: 0,
  health: 'healthy',
};

describe('decoders', () => {
  it('decode what the encoders wrote', () => {
    expect(decodeStoredUnit(encodeStoredUnit(UNIT))).toEqual({ ok: true, value: UNIT });
    expect(decodeMachineRecord(encodeMachineRecord(MACHINE))).toEqual({ ok: true, value: MACHINE });
    expect(decodeUnitStateRecord(encodeUnitStateRecord(STATE))).toEqual({ ok: true, value: STATE });
    const reason = { name: 'a.service', summary: 'no machine', machines: [{ machineId: 'm1', reason: 'conflict' }] };
    expect(decodeUnschedulableRecord(encodeUnschedulableRecord(reason))).toEqual({ ok: true, value: reason });
  });

  it.each([
    ['not JSON', '{"name":', /^invalid JSON: /],
    ['JSON but not an object', '"x"', /^\(record\): /],
    ['missing hash', JSON.stringify({ name: 'a.service', contents: '', targetState: 'loaded' }), /^hash: /],
    ['uppercase hash', JSON.stringify({ ...UNIT, hash: 'A'.repeat(40) }), /^hash: must be 40 lowercase hex/],
    ['unknown target state', JSON.stringify({ ...UNIT, targetState: 'running' }), /^targetState: /],
    ['name with a slash', JSON.stringify({ ...UNIT, name: 'a/b' }), /^name: must be non-empty/],
    ['global not a boolean', JSON.stringify({ ...UNIT, global: 'yes' }), /^global: /],
  ])('refuse a unit record that is %s', (_what, text, message) => {
    const decoded = decodeStoredUnit(text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(message);
  });

  it('read a unit record without `global` as not global, and ignore unknown fields', () => {
    const { global: _omitted, ...plain } = UNIT;
    expect(decodeStoredUnit(JSON.stringify({ ...plain, extra: 1 }))).toEqual({ ok: true, value: { ...plain, global: false } });
  });

  it('default the Docker facts of a minimal machine record', () => {
    const minimal = { id: 'm1', publicIp: '', metadata: {}, version: '0.1.0' };
    expect(decodeMachineRecord(JSON.stringify(minimal))).toEqual({
      ok: true,
      value: { ...minimal, dockerEndpoint: '', dockerVersion: '', cpus: 0, memoryBytes: 0, startedAt: '' },
    });
  });

  it.each([
    ['negative cpus', { ...MACHINE, cpus: -1 }, /^cpus: /],
    ['non-string metadata', { ...MACHINE, metadata: { a: 1 } }, /^metadata\.a: /],
  ])('refuse a machine record with %s', (_what, value, message) => {
    const decoded = decodeMachineRecord(JSON.stringify(value));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(message);
  });

  it('refuse a unit state with a fractional restart count', () => {
    const decoded = decodeUnitStateRecord(JSON.stringify({ ...STATE, restartCount: 1.5 }));
    expect(decoded).toEqual({ ok: false, error: expect.stringMatching(/^restartCount: /) });
  });

  it('never throw, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        for (const decode of [decodeStoredUnit, decodeScheduledUnit, decodeMachineRecord, decodeUnitStateRecord]) {
          expect(typeof decode(text).ok).toBe('boolean');
        }
      }),
    );
  });
});

describe('encoders', () => {
  it('write fields in schema order and drop unknown ones, so equal values encode equally', () => {
    const shuffled = { targetState: 'launched', extra: true, contents: UNIT.contents, hash: HASH, name: UNIT.name };
    expect(encodeScheduledUnit(shuffled as never)).toBe(
      JSON.stringify({ name: UNIT.name, hash: HASH, contents: UNIT.contents, targetState: 'launched' }),
    );
  });

  it('round-trip any valid unit record', () => {
    const unit = fc.record({
      name: fc.stringMatching(/^[a-z0-9@.-]{1,20}\.service$/),
      hash: fc.stringMatching(/^[0-9a-f]{40}$/),
      contents: fc.string(),
      targetState: fc.constantFrom(...TARGET_STATES),
      global: fc.boolean(),
    });
    fc.assert(
      fc.property(unit, (value) => {
        expect(decodeStoredUnit(encodeStoredUnit(value))).toEqual({ ok: true, value });
      }),
    );
  });

  it('throw RecordInvalidError (code RECORD_INVALID) for a value that breaks the schema', () => {
    expect(() => encodeStoredUnit({ ...UNIT, hash: 'short' })).toThrow(RecordInvalidError);
    expect(() => encodeStoredUnit({ ...UNIT, hash: 'short' })).toThrow(
      'invalid unit record: hash: must be 40 lowercase hex characters',
    );
    try {
      encodeMachineRecord({ ...MACHINE, id: '' });
    } catch (error) {
      expect((error as RecordInvalidError).code).toBe('RECORD_INVALID');
    }
    expect.assertions(3);
  });
});
