import { describe, expect, it } from '@jest/globals';
import { unitStateFor, type UnitStateInput } from '../../../packages/agent/src/unit-state.js';
import type { RuntimeContainer } from '@fleet/runtime';

const base: UnitStateInput = {
  name: 'a.service',
  hash: 'a'.repeat(40),
  machineId: 'm1',
  targetState: 'launched',
  restartPending: false,
  restarts: 0,
};
const container = (over: Partial<RuntimeContainer>): RuntimeContainer => ({
  id: 'c0ffee',
  name: 'fleet-a.service',
  unit: 'a.service',
  hash: 'a'.repeat(40),
  state: 'running',
  startedAt: Date.UTC(2026, 0, 1),
  ...over,
});

describe('unitStateFor', () => {
  it.each<[string, Partial<UnitStateInput>, string]>([
    ['no container yet', {}, 'loaded/inactive/dead'],
    ['create failed', { error: 'No such image: x:1' }, 'loaded/failed/failed'],
    ['created, not started', { container: container({ state: 'created', startedAt: undefined }) }, 'loaded/inactive/dead'],
    ['running', { container: container({}) }, 'loaded/active/running'],
    ['exited cleanly', { container: container({ state: 'exited', exitCode: 0 }) }, 'loaded/inactive/dead'],
    ['exited with an error', { container: container({ state: 'exited', exitCode: 3 }) }, 'loaded/failed/failed'],
    ['exited, restart due', { container: container({ state: 'exited', exitCode: 3 }), restartPending: true }, 'loaded/activating/auto-restart'],
    ['stopped by fleet (desired loaded)', { container: container({ state: 'exited', exitCode: 137 }), targetState: 'loaded' }, 'loaded/inactive/dead'],
    ['paused', { container: container({ state: 'paused' }) }, 'loaded/active/paused'],
  ])('%s → %s', (_t, over, expected) => {
    const s = unitStateFor({ ...base, ...over });
    expect(`${s.loadState}/${s.activeState}/${s.subState}`).toBe(expected);
  });

  it('carries the container facts fleetctl status shows', () => {
    const s = unitStateFor({ ...base, restarts: 2, container: container({ state: 'exited', exitCode: 3, health: 'unhealthy' }), image: 'img:1' });
    expect(s).toEqual({
      name: 'a.service',
      hash: 'a'.repeat(40),
      machineId: 'm1',
      loadState: 'loaded',
      activeState: 'failed',
      subState: 'failed',
      containerId: 'c0ffee',
      image: 'img:1',
      startedAt: '2026-01-01T00:00:00.000Z',
      exitCode: 3,
      restartCount: 2,
      health: 'unhealthy',
    });
  });
});
