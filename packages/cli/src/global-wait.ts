import type { UnitStateRecord } from '@fleet/core';
import type { FleetApi } from './api.js';
import type { CommandContext } from './command.js';
import { formatMachineLegend, indexMachines } from './format/index.js';
import { pollUntil } from './wait.js';

const UP_STATES = new Set(['active', 'activating', 'reloading', 'deactivating']);

/**
 * Waits on a global unit across the machines that run it (fleet never waited on global units;
 * restart needs to): `stopped` until no live machine reports its container up, `running` until
 * every live machine reporting it runs it, and at least `minimum.get(name)` do (the machines it
 * ran on before). On `running`, prints `Unit X launched on <machine>` for each machine. Returns
 * false on timeout, after saying so.
 */
export async function waitForGlobalUnits(
  ctx: CommandContext,
  api: FleetApi,
  names: readonly string[],
  goal: 'stopped' | 'running',
  attempts: number,
  minimum: ReadonlyMap<string, number> = new Map(),
): Promise<boolean> {
  let pending = [...names];
  const inTime = await pollUntil(ctx, attempts, async () => {
    const machines = indexMachines((await api.listMachines()).map((e) => e.machine));
    const still: string[] = [];
    for (const name of pending) {
      const states = (await api.listStates(name)).map((e) => e.state).filter((s) => machines.has(s.machineId));
      if (!reached(states, goal) || (goal === 'running' && states.length < (minimum.get(name) ?? 0))) {
        still.push(name);
        continue;
      }
      if (goal === 'running') {
        for (const s of states) ctx.out.line(`Unit ${name} launched on ${formatMachineLegend(s.machineId, machines, false)}`);
      }
    }
    pending = still;
    return pending.length === 0;
  });
  if (!inTime) {
    const what = goal === 'running' ? 'run' : 'stop';
    for (const name of pending) {
      ctx.out.error(`Error waiting for units: timed out waiting for global unit ${name} to ${what} on its machines`);
    }
  }
  return inTime;
}

function reached(states: readonly UnitStateRecord[], goal: 'stopped' | 'running'): boolean {
  return goal === 'stopped'
    ? states.every((s) => !UP_STATES.has(s.activeState))
    : states.every((s) => s.activeState === 'active' && s.subState === 'running');
}

/** How many live machines run each global unit now (what a restart must bring back). */
export async function countRunning(api: FleetApi, names: readonly string[]): Promise<Map<string, number>> {
  const live = new Set((await api.listMachines()).map((e) => e.machine.id));
  const counts = new Map<string, number>();
  for (const name of names) {
    const states = (await api.listStates(name)).map((e) => e.state);
    counts.set(name, states.filter((s) => live.has(s.machineId) && UP_STATES.has(s.activeState)).length);
  }
  return counts;
}
