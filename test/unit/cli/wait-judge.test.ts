import { describe, expect, it } from '@jest/globals';
import type { MachineRecord, UnitStateRecord } from '@fleet/core';
import { explainUnschedulable, judge, type Placement, type WaitTarget } from '../../../packages/cli/src/wait.js';

const M = 'aaaaaaaabbbbbbbbccccccccdddddddd';
const OTHER = 'ffffffffbbbbbbbbccccccccdddddddd';
const HASH = '1'.repeat(40);
const machine: MachineRecord = {
  id: M,
  publicIp: '10.0.0.9',
  metadata: {},
  version: '0.1.0',
  dockerEndpoint: '',
  dockerVersion: '',
  cpus: 1,
  memoryBytes: 1,
  startedAt: '',
};

const state = (overrides: Partial<UnitStateRecord> = {}): UnitStateRecord => ({
  name: 'u.service',
  machineId: M,
  hash: HASH,
  loadState: 'loaded',
  activeState: 'active',
  subState: 'running',
  ...overrides,
});

const placement = (target: string | undefined, states: UnitStateRecord[]): Placement => ({
  machines: new Map([[M, machine]]),
  targets: new Map(target === undefined ? [] : [['u.service', target]]),
  states: new Map([['u.service', states]]),
});

const target = (goal: WaitTarget['goal'], failOnError = true, hash: string | undefined = HASH): WaitTarget => ({
  name: 'u.service',
  goal,
  failOnError,
  ...(hash === undefined ? {} : { hash }),
});

describe('judge: where a unit stands against what fleetctl waits for', () => {
  it.each<[string, WaitTarget, Placement, ReturnType<typeof judge>]>([
    ['launched and running', target('launched'), placement(M, [state()]), { kind: 'done', line: 'Unit u.service launched on aaaaaaaa.../10.0.0.9' }],
    ['launched but still starting', target('launched'), placement(M, [state({ activeState: 'activating', subState: 'start' })]), { kind: 'waiting', unplaced: false }],
    ['running an older hash', target('launched'), placement(M, [state({ hash: '2'.repeat(40) })]), { kind: 'waiting', unplaced: false }],
    ['not placed', target('launched'), placement(undefined, []), { kind: 'waiting', unplaced: true }],
    ['reported by a machine it is not scheduled on', target('launched'), placement(OTHER, [state()]), { kind: 'waiting', unplaced: true }],
    [
      'failed with an error',
      target('launched'),
      placement(M, [state({ activeState: 'failed', subState: 'failed', error: 'image x not found' })]),
      { kind: 'failed', line: 'Unit u.service failed on aaaaaaaa.../10.0.0.9: image x not found' },
    ],
    [
      'exited non-zero',
      target('launched'),
      placement(M, [state({ activeState: 'failed', subState: 'failed', exitCode: 3 })]),
      { kind: 'failed', line: 'Unit u.service failed on aaaaaaaa.../10.0.0.9: container exited with code 3' },
    ],
    [
      'failed, for load',
      target('loaded'),
      placement(M, [state({ activeState: 'failed', subState: 'failed', error: 'no image' })]),
      { kind: 'failed', line: 'Unit u.service failed on aaaaaaaa.../10.0.0.9: no image' },
    ],
    [
      'failed, for stop (a stopped unit is what stop wants)',
      target('loaded', false, undefined),
      placement(M, [state({ activeState: 'failed', subState: 'failed', error: 'no image' })]),
      { kind: 'done', line: 'Unit u.service loaded on aaaaaaaa.../10.0.0.9' },
    ],
    ['loaded', target('loaded'), placement(M, [state({ activeState: 'inactive', subState: 'dead' })]), { kind: 'done', line: 'Unit u.service loaded on aaaaaaaa.../10.0.0.9' }],
    ['still running, for stop', target('loaded', false), placement(M, [state()]), { kind: 'waiting', unplaced: false }],
    ['inactive', target('inactive', false), placement(undefined, [state()]), { kind: 'done', line: 'Unit u.service inactive' }],
    ['still placed, for unload', target('inactive', false), placement(M, [state()]), { kind: 'waiting', unplaced: false }],
  ])('%s', (_what, wait, where, verdict) => {
    expect(judge(wait, where)).toEqual(verdict);
  });
});

describe('explainUnschedulable', () => {
  it('prints the summary, then each machine with its reason, capped at 10', () => {
    const machines = Array.from({ length: 12 }, (_, i) => ({ machineId: `${String(i).padStart(2, '0')}${'0'.repeat(30)}`, reason: `reason ${i}` }));
    const text = explainUnschedulable({ name: 'u.service', summary: 'u.service: no machine fits', machines }, new Map([[M, machine]]));
    const lines = text.split('\n');
    expect(lines[0]).toBe('u.service: no machine fits');
    expect(lines[1]).toBe('  00000000...: reason 0');
    expect(lines[10]).toBe('  09000000...: reason 9');
    expect(lines[11]).toBe('  … and 2 more machines');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('gives a known machine its IP', () => {
    const text = explainUnschedulable({ name: 'u.service', summary: 's', machines: [{ machineId: M, reason: 'r' }] }, new Map([[M, machine]]));
    expect(text).toBe('s\n  aaaaaaaa.../10.0.0.9: r\n');
  });
});
