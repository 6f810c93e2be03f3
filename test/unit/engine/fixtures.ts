import type { MachineInfo, TargetState, UnitRequirements } from '@fleet/core';
import { buildClusterState, computePlan, type ClusterUnit, type Plan } from '@fleet/engine';

/** Three live machines with readable short ids (the 8-character form fleetctl prints). */
export const A = '2f1c7e5a0000000000000000000000a1';
export const B = '8a4b2c6d0000000000000000000000b2';
export const C = 'd3e2f1a00000000000000000000000c3';
export const DEAD = 'ffee00110000000000000000000000dd';

export function machine(id: string, metadata: Record<string, string> = {}): MachineInfo {
  return { id, publicIp: '10.0.0.1', metadata, version: '0.1.0' };
}

export type Requirements = Partial<UnitRequirements>;

export function requirements(r: Requirements = {}): UnitRequirements {
  return { machineOf: [], metadata: {}, conflicts: [], global: false, replaces: [], ...r };
}

export function unit(name: string, r: Requirements = {}, targetState: TargetState = 'launched'): ClusterUnit {
  return { name, targetState, hash: `hash-of-${name}`, requirements: requirements(r) };
}

export interface Cluster {
  units: ClusterUnit[];
  machines: MachineInfo[];
  schedule?: Record<string, string>;
}

export function plan(cluster: Cluster): Plan {
  return computePlan(
    buildClusterState({ units: cluster.units, machines: cluster.machines, schedule: cluster.schedule ?? {} }),
  );
}

/** `schedule web.service 2f1c7e5a: <reason>` — one line per action, for exact comparisons. */
export function describeActions(p: Plan): string[] {
  return p.actions.map((a) => `${a.kind} ${a.unit} ${a.machineId.slice(0, 8)}: ${a.reason}`);
}

/** The schedule after applying a plan to the one it was computed from. */
export function applyPlan(schedule: Record<string, string>, p: Plan): Record<string, string> {
  const next = { ...schedule };
  for (const action of p.actions) {
    if (action.kind === 'unschedule') delete next[action.unit];
    else next[action.unit] = action.machineId;
  }
  return next;
}
