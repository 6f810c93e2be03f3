import { describe, expect, it } from '@jest/globals';
import { chaosConfig } from './chaos-config.js';

describe('chaosConfig', () => {
  it('defaults to the CI size: 100 faults, no minimum duration, a random seed', () => {
    const config = chaosConfig({});
    expect(config).toMatchObject({ faults: 100, minutes: 0 });
    expect(Number.isInteger(config.seed)).toBe(true);
  });

  it('reads FLEET_CHAOS_SEED, FLEET_CHAOS_FAULTS and FLEET_CHAOS_MINUTES', () => {
    expect(chaosConfig({ FLEET_CHAOS_SEED: '12345', FLEET_CHAOS_FAULTS: '20', FLEET_CHAOS_MINUTES: '1.5' })).toEqual({ seed: 12345, faults: 20, minutes: 1.5 });
  });

  it.each([
    [{ FLEET_CHAOS_SEED: '-1' }, 'FLEET_CHAOS_SEED must be a non-negative integer, got "-1"'],
    [{ FLEET_CHAOS_SEED: '4294967296' }, 'FLEET_CHAOS_SEED must be below 2^32, got 4294967296'],
    [{ FLEET_CHAOS_FAULTS: '2.5' }, 'FLEET_CHAOS_FAULTS must be a non-negative integer, got "2.5"'],
    [{ FLEET_CHAOS_MINUTES: 'soon' }, 'FLEET_CHAOS_MINUTES must be a non-negative number, got "soon"'],
  ])('refuses %j', (env, message) => {
    expect(() => chaosConfig(env)).toThrow(message);
  });
});
