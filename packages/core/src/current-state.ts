import type { UnitState } from './model.js';

/** fleet's derived per-unit STATE column: what the cluster has actually done with a unit. */
export type CurrentState = 'inactive' | 'loaded' | 'launched';

const RUNNING_ACTIVE_STATES = new Set(['active', 'activating', 'reloading', 'deactivating']);

/**
 * Derives a non-global unit's current state the way fleet did (fleet.md §2.2): `inactive` unless
 * the machine it is scheduled on reports a state for it; `launched` when that report says the
 * container is up (fleet used a separate heartbeat key; our agent's report carries the same fact);
 * else `loaded`. States reported by other machines (stale, or before a move) do not count.
 */
export function currentState(
  targetMachineId: string | undefined,
  states: readonly UnitState[],
): CurrentState {
  if (targetMachineId === undefined) return 'inactive';
  const own = states.find((s) => s.machineId === targetMachineId);
  if (own === undefined) return 'inactive';
  return RUNNING_ACTIVE_STATES.has(own.activeState) ? 'launched' : 'loaded';
}
