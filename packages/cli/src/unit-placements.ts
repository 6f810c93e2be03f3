import type { MachineRecord, UnitStateRecord } from '@fleet/core';
import type { UnitEntry } from '@fleet/registry';
import type { FleetApi } from './api.js';
import { compareCodePoints } from './format/compare-code-points.js';
import { currentStateOf } from './unit-actions.js';
import { readPlacement } from './wait.js';

/** A unit as one machine reports it. */
export interface UnitOnMachine {
  readonly state: UnitStateRecord;
  /** Undefined when the machine is no longer registered. */
  readonly machine: MachineRecord | undefined;
}

/**
 * Where `status` and `journal` look: a unit's state on the machine it is scheduled on (none when
 * its current state is inactive), or, for a global unit, on every live machine reporting it.
 */
export async function placementsOf(api: FleetApi, entry: UnitEntry): Promise<UnitOnMachine[]> {
  const { name } = entry.unit;
  if (entry.global) {
    const [states, machines] = await Promise.all([api.listStates(name), api.listMachines()]);
    const live = new Map(machines.map((m) => [m.machine.id, m.machine]));
    return states
      .map((e) => e.state)
      .filter((s) => live.has(s.machineId))
      .sort((a, b) => compareCodePoints(a.machineId, b.machineId))
      .map((state) => ({ state, machine: live.get(state.machineId) }));
  }
  const placement = await readPlacement(api, [name]);
  if (currentStateOf(name, placement) === 'inactive') return [];
  const machineId = placement.targets.get(name);
  const state = (placement.states.get(name) ?? []).find((s) => s.machineId === machineId);
  return state === undefined ? [] : [{ state, machine: placement.machines.get(state.machineId) }];
}
