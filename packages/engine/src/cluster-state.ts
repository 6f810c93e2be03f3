import {
  machineIdMatches,
  metadataSatisfied,
  shortMachineId,
  SHORT_MACHINE_ID_LENGTH,
  unitsConflict,
  type ConstrainedUnit,
  type MachineInfo,
  type TargetState,
} from '@fleet/core';
import { indexConflicts } from './conflict-index.js';
import { compareStrings, unique } from './glob-scan.js';
import type { UnitRelations } from './occupancy.js';
import { REASONS } from './reasons.js';
import { buildReplaceGraph } from './replace-graph.js';
import { cycleThrough, isCycle, stronglyConnected } from './strongly-connected.js';

/** A unit as the engine plans it: name, desired state, resolved `[X-Fleet]` requirements, hash. */
export interface ClusterUnit extends ConstrainedUnit {
  readonly targetState: TargetState;
  readonly hash: string;
}

/** One consistent read of the registry (fleet.md §5.2 "snapshot"). */
export interface ClusterSnapshot {
  readonly units: readonly ClusterUnit[];
  /** unit name → machine id, for non-global units the engine placed. */
  readonly schedule: Readonly<Record<string, string>>;
  /** Live machines only. */
  readonly machines: readonly MachineInfo[];
}

/** fleet's per-machine "agent state": what the machine is considered to run before this pass. */
export interface AgentState {
  readonly machine: MachineInfo;
  /** Non-global, non-inactive units scheduled here, in name order (not yet checked). */
  readonly scheduled: readonly string[];
  /**
   * Non-inactive global units that apply here (MachineMetadata, MachineID), minus those that
   * conflict with a global unit earlier in name order, in name order.
   */
  readonly globals: readonly string[];
  /** fleet's load figure: scheduled plus applicable global units. */
  readonly load: number;
}

/** A schedule entry the engine should remove regardless of machines: unknown or global unit. */
export interface StrayTarget {
  readonly unit: string;
  readonly machineId: string;
  readonly reason: string;
}

export interface ClusterState {
  readonly units: ReadonlyMap<string, ClusterUnit>;
  /** All unit names, ascending. */
  readonly unitNames: readonly string[];
  /** Live machines by ascending id. */
  readonly machines: readonly MachineInfo[];
  readonly machinesById: ReadonlyMap<string, MachineInfo>;
  /** Live machines by their 8-character short id (several machines may share one). */
  readonly machinesByShortId: ReadonlyMap<string, readonly MachineInfo[]>;
  /** Schedule entries of known non-global units (the machine may be gone). */
  readonly schedule: ReadonlyMap<string, string>;
  readonly strayTargets: readonly StrayTarget[];
  /** Per live machine. */
  readonly agents: ReadonlyMap<string, AgentState>;
  /** Non-global units, MachineOf peers before their followers, otherwise by name. */
  readonly order: readonly string[];
  /** Units on a MachineOf cycle → the cycle, as a path that ends where it starts. */
  readonly cycles: ReadonlyMap<string, readonly string[]>;
  /** Non-global unit → non-global units naming it in MachineOf=, ascending. */
  readonly followers: ReadonlyMap<string, readonly string[]>;
  /** Pattern indexes for Conflicts= and Replaces=. */
  readonly relations: UnitRelations;
}

const NONE: readonly string[] = [];

export function buildClusterState(snapshot: ClusterSnapshot): ClusterState {
  const units = new Map<string, ClusterUnit>();
  for (const unit of snapshot.units) units.set(unit.name, unit);
  const unitNames = [...units.keys()].sort(compareStrings);
  const nonGlobal = unitNames.filter((n) => !units.get(n)!.requirements.global);
  const globals = unitNames.filter((n) => {
    const u = units.get(n)!;
    return u.requirements.global && u.targetState !== 'inactive';
  });

  const machines = [...snapshot.machines].sort((a, b) => compareStrings(a.id, b.id));
  const machinesById = new Map(machines.map((m) => [m.id, m]));
  const machinesByShortId = new Map<string, MachineInfo[]>();
  for (const machine of machines) {
    const key = shortMachineId(machine.id);
    const list = machinesByShortId.get(key);
    if (list === undefined) machinesByShortId.set(key, [machine]);
    else list.push(machine);
  }

  const schedule = new Map<string, string>();
  const strayTargets: StrayTarget[] = [];
  for (const name of Object.keys(snapshot.schedule).sort(compareStrings)) {
    const machineId = snapshot.schedule[name]!;
    const unit = units.get(name);
    if (unit === undefined) strayTargets.push({ unit: name, machineId, reason: REASONS.unitGone });
    else if (unit.requirements.global) strayTargets.push({ unit: name, machineId, reason: REASONS.globalUnit });
    else schedule.set(name, machineId);
  }

  const scheduledOn = new Map<string, string[]>();
  for (const name of nonGlobal) {
    const machineId = schedule.get(name);
    if (machineId === undefined || units.get(name)!.targetState === 'inactive') continue;
    const list = scheduledOn.get(machineId);
    if (list === undefined) scheduledOn.set(machineId, [name]);
    else list.push(name);
  }

  const globalsFor = acceptGlobals(units, globals);
  const agents = new Map<string, AgentState>();
  for (const machine of machines) {
    const scheduled = scheduledOn.get(machine.id) ?? NONE;
    const accepted = globalsFor(machine);
    agents.set(machine.id, { machine, scheduled, globals: accepted, load: scheduled.length + accepted.length });
  }

  const nonGlobalSet = new Set(nonGlobal);
  const peerEdges = new Map<string, readonly string[]>();
  const followers = new Map<string, string[]>();
  for (const name of nonGlobal) {
    const peers = unique(units.get(name)!.requirements.machineOf)
      .filter((p) => nonGlobalSet.has(p))
      .sort(compareStrings);
    if (peers.length === 0) continue;
    peerEdges.set(name, peers);
    for (const peer of peers) {
      const list = followers.get(peer);
      if (list === undefined) followers.set(peer, [name]);
      else list.push(name);
    }
  }
  const edgesOf = (n: string) => peerEdges.get(n) ?? NONE;
  const components = stronglyConnected(nonGlobal, edgesOf);
  const cycles = new Map<string, readonly string[]>();
  for (const component of components) {
    if (!isCycle(component, edgesOf)) continue;
    const members = new Set(component);
    for (const member of component) cycles.set(member, cycleThrough(member, members, edgesOf));
  }

  return {
    units,
    unitNames,
    machines,
    machinesById,
    machinesByShortId,
    schedule,
    strayTargets,
    agents,
    order: components.flat(),
    cycles,
    followers,
    relations: {
      units,
      conflicts: indexConflicts(units, unitNames),
      replace: buildReplaceGraph(units, nonGlobal),
    },
  };
}

/**
 * Which global units a machine runs: those whose MachineMetadata and MachineID it satisfies, taken
 * in name order and skipping any that conflict with one already taken — the rule the agent applies
 * (fleet.md §6.1). Machines with the same applicable set share the answer.
 */
function acceptGlobals(
  units: ReadonlyMap<string, ClusterUnit>,
  globals: readonly string[],
): (machine: MachineInfo) => readonly string[] {
  const memo = new Map<string, readonly string[]>();
  return (machine) => {
    if (globals.length === 0) return NONE;
    const applicable = globals.filter((name) => {
      const req = units.get(name)!.requirements;
      if (req.machineId !== undefined && !machineIdMatches(req.machineId, machine.id)) return false;
      return metadataSatisfied(req.metadata, machine.metadata);
    });
    const key = applicable.join('\n');
    let accepted = memo.get(key);
    if (accepted === undefined) {
      const taken: ClusterUnit[] = [];
      for (const name of applicable) {
        const unit = units.get(name)!;
        if (!taken.some((t) => unitsConflict(t, unit))) taken.push(unit);
      }
      accepted = taken.map((u) => u.name);
      memo.set(key, accepted);
    }
    return accepted;
  };
}

/** Live machines a MachineID= value names (full id, or the 8-character short id), by id. */
export function machinesMatchingId(state: ClusterState, required: string): readonly MachineInfo[] {
  const exact = state.machinesById.get(required);
  const byShort =
    required.length === SHORT_MACHINE_ID_LENGTH ? (state.machinesByShortId.get(required) ?? []) : [];
  if (exact === undefined) return byShort;
  return byShort.includes(exact) ? byShort : [exact, ...byShort].sort((a, b) => compareStrings(a.id, b.id));
}
