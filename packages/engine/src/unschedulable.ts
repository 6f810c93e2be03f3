import { machineIdMatches, metadataSatisfied, shortMachineId, type MachineInfo } from '@fleet/core';
import type { ClusterState } from './cluster-state.js';
import { unique } from './glob-scan.js';
import type { Occupancy } from './occupancy.js';
import { formatMetadataShortfall, MACHINE_REASONS, UNSCHEDULABLE } from './reasons.js';
import { constraintSignature } from './signature.js';

/** Why one machine cannot take a unit. */
export interface MachineReason {
  readonly machineId: string;
  readonly reason: string;
}

/** A non-global unit that wants to run but has no machine after this pass. */
export interface UnschedulableUnit {
  readonly unit: string;
  /** One line for the CLI, starting with the unit name. */
  readonly summary: string;
  /**
   * The machines the planner considered, by id, each with the first rule it fails: the machines
   * matching MachineID=, or the machine(s) hosting a non-global MachineOf peer, or else every
   * live machine.
   */
  readonly machines: readonly MachineReason[];
}

/** The end state of a planning pass, as the explanation needs it. */
export interface PlacementView {
  readonly state: ClusterState;
  occupancy(machineId: string): Occupancy;
  /** Machine a non-global unit is placed on, or undefined. */
  machineOf(unit: string): string | undefined;
  /** Whether `unit` (scheduled, or an applicable global) runs on the machine. */
  isPresent(machineId: string, unit: string): boolean;
  /** The machines the planner considers for a unit, by id. */
  candidates(unit: string): readonly MachineInfo[];
  /** Why placing `unit` on the machine would move a unit it must not move, if it would. */
  displacementBlocker(unit: string, machineId: string): DisplacementBlocker | undefined;
}

/** A unit that Replaces= may not move: the placed unit's own MachineOf peer, or one moved too often. */
export interface DisplacementBlocker {
  readonly kind: 'peer' | 'limit';
  readonly unit: string;
}

/** The rules in the order the planner applies them; a machine fails at the first one. */
const Stage = {
  MachineId: 1,
  Metadata: 2,
  Peers: 3,
  Conflicts: 4,
  Replaced: 5,
  Displacing: 6,
  Eligible: 7,
} as const;
type Stage = (typeof Stage)[keyof typeof Stage];

interface Verdict {
  readonly machine: MachineInfo;
  readonly stage: Stage;
  readonly reason: string;
  /** The short fact a summary lists: metadata shortfall, conflicting or replacing unit. */
  readonly fact: string;
}

interface Explanation {
  /** The rule that ruled out the last machine (0: there were none to rule out). */
  readonly stage: Stage | 0;
  readonly text: string;
  readonly machines: readonly MachineReason[];
}

/**
 * Explains each unit that could not be placed: a reason per machine checked and a one-line summary
 * naming the rule that ruled out the last remaining machines. Units with equal constraints share
 * one explanation (and one `machines` array), which keeps a pass with many identical unplaceable
 * units cheap.
 */
export function explainUnschedulable(units: readonly string[], view: PlacementView): UnschedulableUnit[] {
  const memo = new Map<string, Explanation>();
  return units.map((name) => {
    const unit = view.state.units.get(name)!;
    const key = constraintSignature(name, unit.requirements, view.state.relations);
    let explanation = key === undefined ? undefined : memo.get(key);
    if (explanation === undefined) {
      explanation = explain(name, view);
      if (key !== undefined) memo.set(key, explanation);
    }
    const cycle = view.state.cycles.get(name);
    const text =
      cycle !== undefined && explanation.stage === Stage.Peers
        ? UNSCHEDULABLE.peerCycle(cycle)
        : explanation.text;
    return { unit: name, summary: `${name}: ${text}`, machines: explanation.machines };
  });
}

function explain(name: string, view: PlacementView): Explanation {
  const req = view.state.units.get(name)!.requirements;
  const peers = unique(req.machineOf);
  const verdicts = view.candidates(name).map((machine): Verdict => {
    const id = machine.id;
    if (req.machineId !== undefined && !machineIdMatches(req.machineId, id)) {
      return { machine, stage: Stage.MachineId, reason: MACHINE_REASONS.machineIdMismatch(req.machineId), fact: '' };
    }
    if (!metadataSatisfied(req.metadata, machine.metadata)) {
      const shortfall = formatMetadataShortfall(req.metadata, machine.metadata);
      return { machine, stage: Stage.Metadata, reason: MACHINE_REASONS.metadataMismatch(req.metadata, shortfall), fact: shortfall };
    }
    const absent = peers.find((p) => !view.isPresent(id, p));
    if (absent !== undefined) {
      return { machine, stage: Stage.Peers, reason: MACHINE_REASONS.peerAbsent(absent), fact: absent };
    }
    const slot = view.occupancy(id);
    if (slot.conflicts(name)) {
      const other = slot.conflictingUnit(name) ?? '?';
      return { machine, stage: Stage.Conflicts, reason: MACHINE_REASONS.conflict(other), fact: other };
    }
    const by = slot.displacer(name);
    if (by !== undefined) {
      return { machine, stage: Stage.Replaced, reason: MACHINE_REASONS.displaced(by), fact: by };
    }
    const blocker = view.displacementBlocker(name, id);
    if (blocker !== undefined) {
      const reason =
        blocker.kind === 'peer'
          ? MACHINE_REASONS.replacesOwnPeer(blocker.unit)
          : MACHINE_REASONS.movedTooOften(blocker.unit);
      return { machine, stage: Stage.Displacing, reason, fact: reason };
    }
    return { machine, stage: Stage.Eligible, reason: MACHINE_REASONS.eligible, fact: '' };
  });
  const { stage, text } = summarize(name, view, verdicts);
  return { stage, text, machines: verdicts.map((v) => ({ machineId: v.machine.id, reason: v.reason })) };
}

/**
 * Machines drop out rule by rule; the summary names the rule that removed the last of them and
 * lists the machines it removed.
 */
function summarize(
  name: string,
  view: PlacementView,
  verdicts: readonly Verdict[],
): { stage: Stage | 0; text: string } {
  const req = view.state.units.get(name)!.requirements;
  if (view.state.machines.length === 0) return { stage: 0, text: UNSCHEDULABLE.noMachines };
  if (verdicts.length === 0) {
    // Nothing to check: the MachineID names no live machine, or a MachineOf peer is nowhere.
    if (req.machineId !== undefined) {
      return { stage: Stage.MachineId, text: UNSCHEDULABLE.machineIdNotLive(req.machineId) };
    }
    const missing = unique(req.machineOf).find((p) => view.machineOf(p) === undefined) ?? '';
    return { stage: Stage.Peers, text: UNSCHEDULABLE.peerNotScheduled(missing) };
  }
  let stage: Stage = Stage.MachineId;
  for (const v of verdicts) if (v.stage > stage) stage = v.stage;
  const at = verdicts.filter((v) => v.stage === stage);
  const short = (v: Verdict) => shortMachineId(v.machine.id);
  switch (stage) {
    case Stage.MachineId:
      return { stage, text: UNSCHEDULABLE.machineIdNotLive(req.machineId ?? '') };
    case Stage.Metadata:
      return { stage, text: UNSCHEDULABLE.noMetadataMatch(req.metadata, at.map((v) => `${short(v)} ${v.fact}`)) };
    case Stage.Peers:
      return { stage, text: summarizePeers(unique(req.machineOf), view, at) };
    case Stage.Conflicts: {
      const every = at.length === view.state.machines.length;
      return { stage, text: UNSCHEDULABLE.allConflict(every, at.map((v) => `${v.fact} on ${short(v)}`)) };
    }
    case Stage.Replaced:
      return { stage, text: UNSCHEDULABLE.allDisplaced(at.map((v) => `${v.fact} on ${short(v)}`)) };
    case Stage.Displacing:
      return { stage, text: UNSCHEDULABLE.displacing(at.map((v) => `${short(v)} ${v.fact}`)) };
    case Stage.Eligible:
      return { stage, text: UNSCHEDULABLE.notChosen };
  }
}

/** `eligible`: the machines that passed MachineID and MachineMetadata. */
function summarizePeers(peers: readonly string[], view: PlacementView, eligible: readonly Verdict[]): string {
  const lonely = peers.find((p) => !eligible.some((v) => view.isPresent(v.machine.id, p)));
  if (lonely === undefined) return UNSCHEDULABLE.peersApart(peers);
  const hosts = view.state.machines.filter((m) => view.isPresent(m.id, lonely)).map((m) => m.id);
  return hosts.length === 0
    ? UNSCHEDULABLE.peerNotScheduled(lonely)
    : UNSCHEDULABLE.peerIneligible(lonely, hosts);
}
