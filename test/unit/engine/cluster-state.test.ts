import { describe, expect, it } from '@jest/globals';
import { buildClusterState, machinesMatchingId } from '@fleet/engine';
import { A, B, C, DEAD, machine, unit } from './fixtures.js';

describe('buildClusterState', () => {
  it('builds per-machine agent state: scheduled non-inactive units plus applicable global units', () => {
    const state = buildClusterState({
      units: [
        unit('b.service'),
        unit('a.service'),
        unit('idle.service', {}, 'inactive'),
        unit('lost.service'),
        unit('eu-global.service', { global: true, metadata: { region: ['eu'] } }),
        unit('pinned-global.service', { global: true, machineId: '8a4b2c6d' }),
        unit('off-global.service', { global: true }, 'inactive'),
      ],
      machines: [machine(C), machine(A, { region: 'eu' }), machine(B)],
      schedule: { 'b.service': A, 'a.service': A, 'idle.service': A, 'lost.service': DEAD },
    });
    expect(state.machines.map((m) => m.id)).toEqual([A, B, C]);
    expect(state.agents.get(A)).toMatchObject({ scheduled: ['a.service', 'b.service'], globals: ['eu-global.service'], load: 3 });
    expect(state.agents.get(B)).toMatchObject({ scheduled: [], globals: ['pinned-global.service'], load: 1 });
    expect(state.agents.get(C)).toMatchObject({ scheduled: [], globals: [], load: 0 });
    expect(state.agents.has(DEAD)).toBe(false);
    expect(state.schedule.get('lost.service')).toBe(DEAD);
  });

  it('of two conflicting global units, the alphabetically first applies (TestScheduleGlobalConflicts)', () => {
    const state = buildClusterState({
      units: [
        unit('global-b.service', { global: true, conflicts: ['global-a.service'] }),
        unit('global-a.service', { global: true }),
        unit('global-c.service', { global: true }),
      ],
      machines: [machine(A), machine(B)],
      schedule: {},
    });
    expect(state.agents.get(A)!.globals).toEqual(['global-a.service', 'global-c.service']);
    expect(state.agents.get(B)!.globals).toEqual(['global-a.service', 'global-c.service']);
  });

  it('separates schedule entries of unknown and global units', () => {
    const state = buildClusterState({
      units: [unit('g.service', { global: true }), unit('a.service')],
      machines: [machine(A)],
      schedule: { 'z-gone.service': A, 'g.service': A, 'a.service': A },
    });
    expect(state.strayTargets).toEqual([
      { unit: 'g.service', machineId: A, reason: 'global units are never scheduled' },
      { unit: 'z-gone.service', machineId: A, reason: 'unit no longer exists' },
    ]);
    expect([...state.schedule]).toEqual([['a.service', A]]);
  });

  it('orders units by name, MachineOf peers before their followers, and finds cycles', () => {
    const state = buildClusterState({
      units: [
        unit('a.service', { machineOf: ['m.service'] }),
        unit('m.service', { machineOf: ['z.service'] }),
        unit('z.service'),
        unit('b.service'),
        unit('x.service', { machineOf: ['y.service'] }),
        unit('y.service', { machineOf: ['x.service'] }),
        unit('self.service', { machineOf: ['self.service'] }),
        unit('g.service', { global: true }),
        unit('on-global.service', { machineOf: ['g.service', 'ghost.service'] }),
      ],
      machines: [],
      schedule: {},
    });
    expect(state.order).toEqual([
      'z.service',
      'm.service',
      'a.service',
      'b.service',
      'on-global.service',
      'self.service',
      'x.service',
      'y.service',
    ]);
    expect(Object.fromEntries(state.cycles)).toEqual({
      'self.service': ['self.service', 'self.service'],
      'x.service': ['x.service', 'y.service', 'x.service'],
      'y.service': ['y.service', 'x.service', 'y.service'],
    });
    expect(Object.fromEntries(state.followers)).toEqual({
      'm.service': ['a.service'],
      'z.service': ['m.service'],
      'x.service': ['y.service'],
      'y.service': ['x.service'],
      'self.service': ['self.service'],
    });
  });

  it('finds machines by full or short MachineID', () => {
    const state = buildClusterState({ units: [], machines: [machine(A), machine(B)], schedule: {} });
    expect(machinesMatchingId(state, A).map((m) => m.id)).toEqual([A]);
    expect(machinesMatchingId(state, '8a4b2c6d').map((m) => m.id)).toEqual([B]);
    expect(machinesMatchingId(state, '8a4b2c6').map((m) => m.id)).toEqual([]);
    expect(machinesMatchingId(state, DEAD).map((m) => m.id)).toEqual([]);
  });
});
