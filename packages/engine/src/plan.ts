import { machineIdMatches, metadataSatisfied, type MachineInfo, type UnitRequirements } from '@fleet/core';
import { machinesMatchingId, type ClusterState, type ClusterUnit } from './cluster-state.js';
import { compareStrings, unique } from './glob-scan.js';
import { LeastLoadedQueue } from './least-loaded.js';
import { Occupancy } from './occupancy.js';
import { REASONS } from './reasons.js';
import { constraintSignature, metadataKey } from './signature.js';
import {
  explainUnschedulable,
  type DisplacementBlocker,
  type PlacementView,
  type UnschedulableUnit,
} from './unschedulable.js';

export type PlanActionKind = 'schedule' | 'unschedule';

/** One schedule change: write (`schedule`) or delete (`unschedule`) the unit's target machine. */
export interface PlanAction {
  readonly kind: PlanActionKind;
  readonly unit: string;
  /** Destination for `schedule`; the machine the unit leaves for `unschedule`. */
  readonly machineId: string;
  readonly reason: string;
}

/** Unschedules first (in decision order), then schedules (in decision order). */
export interface Plan {
  actions: PlanAction[];
  unschedulable: UnschedulableUnit[];
}

/**
 * One engine pass (fleet.md §5.2), as a pure function of the cluster state:
 * 1. check every scheduled unit where it is and unschedule those that may no longer stay;
 * 2. place every unscheduled, non-inactive, non-global unit on the least-loaded machine (ties by
 *    machine id) that passes all constraints, seeing earlier decisions of the same pass.
 * Unlike fleet, iteration is deterministic (by name, MachineOf peers before their followers), so a
 * follower lands with its peer in the same pass and a unit that loses its machine is placed again
 * at once. A unit moved away and back within the pass yields no action.
 */
export function computePlan(state: ClusterState): Plan {
  return new PlanningPass(state).run();
}

interface Decision {
  readonly seq: number;
  readonly reason: string;
}

const NONE: readonly string[] = [];

/** How often Replaces= may move one unit within a pass; only contrived setups get near it. */
const DISPLACEMENT_LIMIT = 4;

class PlanningPass implements PlacementView {
  private readonly placement: Map<string, string>;
  private readonly slots = new Map<string, Occupancy>();
  private readonly globalsOn = new Map<string, ReadonlySet<string>>();
  /** Why a unit left the machine it was scheduled on in the snapshot (first time only). */
  private readonly leftOrigin = new Map<string, Decision>();
  /** The latest placement decision per unit. */
  private readonly placed = new Map<string, Decision>();
  private seq = 0;
  /** Bumped whenever a unit leaves a machine: earlier failures to place may no longer hold. */
  private epoch = 0;
  private readonly failedAt = new Map<string, number>();
  private readonly queues = new Map<string, LeastLoadedQueue>();
  private readonly queuesOf = new Map<string, LeastLoadedQueue[]>();
  private readonly peerCache = new Map<string, readonly string[]>();
  /** How often each unit was moved by Replaces= in this pass. */
  private readonly displacements = new Map<string, number>();

  constructor(readonly state: ClusterState) {
    this.placement = new Map(state.schedule);
    for (const machine of state.machines) {
      this.globalsOn.set(machine.id, new Set(state.agents.get(machine.id)?.globals ?? NONE));
    }
  }

  run(): Plan {
    this.checkScheduled();
    const failed = this.scheduleUnscheduled();
    failed.sort(compareStrings);
    return { actions: this.netActions(), unschedulable: explainUnschedulable(failed, this) };
  }

  // ---- PlacementView ----

  occupancy(machineId: string): Occupancy {
    return this.slots.get(machineId)!;
  }

  machineOf(unit: string): string | undefined {
    return this.placement.get(unit);
  }

  isPresent(machineId: string, unit: string): boolean {
    return this.placement.get(unit) === machineId || this.globalsOn.get(machineId)?.has(unit) === true;
  }

  candidates(unit: string): readonly MachineInfo[] {
    const req = this.state.units.get(unit)!.requirements;
    if (req.machineId !== undefined) return machinesMatchingId(this.state, req.machineId);
    const anchors = this.anchorsOf(unit);
    if (anchors.length === 0) return this.state.machines;
    const hosts = new Set<string>();
    for (const peer of anchors) {
      const machineId = this.placement.get(peer);
      if (machineId !== undefined) hosts.add(machineId);
    }
    return [...hosts].sort(compareStrings).map((id) => this.state.machinesById.get(id)!);
  }

  // ---- step 1: scheduled units ----

  private checkScheduled(): void {
    const { state } = this;
    for (const [name, machineId] of state.schedule) {
      const reason = this.ruleOut(state.units.get(name)!, machineId);
      if (reason !== undefined) this.unschedule(name, machineId, reason);
    }
    this.checkPeers();

    // Conflicts: keep units in name order, dropping one that conflicts with a unit already kept or
    // with a global unit there; that is what the machine's agent will run anyway (§6.1).
    const byMachine = new Map<string, string[]>();
    for (const [name, machineId] of this.placement) {
      const list = byMachine.get(machineId);
      if (list === undefined) byMachine.set(machineId, [name]);
      else list.push(name);
    }
    for (const machine of state.machines) {
      const slot = new Occupancy(machine, state.relations);
      for (const global of this.globalsOn.get(machine.id)!) slot.add(global);
      this.slots.set(machine.id, slot);
      for (const name of byMachine.get(machine.id) ?? NONE) {
        if (!slot.conflicts(name)) slot.add(name);
        else this.unschedule(name, machine.id, REASONS.conflict(machine.id, slot.conflictingUnit(name)!));
      }
    }

    // Replaces: a unit shares no machine with a unit that displaces it.
    for (const [machineId, slot] of this.slots) {
      if (!slot.hasDisplacers()) continue;
      for (const name of slot.names()) {
        if (this.placement.get(name) !== machineId) continue;
        const by = slot.displacer(name);
        if (by !== undefined) this.unschedule(name, machineId, REASONS.replaced(machineId, by));
      }
    }
    // Followers of units removed for conflicts or replacement leave too.
    this.checkPeers();
  }

  /** The rules that depend only on the unit and its machine, in fleet's order. */
  private ruleOut(unit: ClusterUnit, machineId: string): string | undefined {
    if (unit.targetState === 'inactive') return REASONS.desiredInactive;
    const machine = this.state.machinesById.get(machineId);
    if (machine === undefined) return REASONS.machineWentAway(machineId);
    const req = unit.requirements;
    if (req.machineId !== undefined && !machineIdMatches(req.machineId, machineId)) {
      return REASONS.machineIdMismatch(machineId, req.machineId);
    }
    if (!metadataSatisfied(req.metadata, machine.metadata)) {
      return REASONS.metadataMismatch(machineId, req.metadata);
    }
    return undefined;
  }

  /** Unschedules scheduled units whose MachineOf peers are not with them, cascading to followers. */
  private checkPeers(): void {
    const work = this.state.order.filter((n) => this.placement.has(n) && this.peersOf(n).length > 0);
    for (let i = 0; i < work.length; i++) {
      const name = work[i]!;
      const machineId = this.placement.get(name);
      if (machineId === undefined) continue;
      const missing = this.peersOf(name).find((p) => !this.isPresent(machineId, p));
      if (missing === undefined) continue;
      this.unschedule(name, machineId, REASONS.peerMissing(machineId, missing));
      for (const follower of this.state.followers.get(name) ?? NONE) {
        if (this.placement.get(follower) === machineId) work.push(follower);
      }
    }
  }

  // ---- step 2: unscheduled units ----

  /** Returns the units that could not be placed. */
  private scheduleUnscheduled(): string[] {
    const { state } = this;
    let queue = state.order.filter(
      (n) => !this.placement.has(n) && state.units.get(n)!.targetState !== 'inactive',
    );
    const rank = new Map(state.order.map((n, i) => [n, i]));
    for (;;) {
      const epoch = this.epoch;
      const failed = this.placeAll(queue);
      // Without a unit leaving a machine, nothing that failed can succeed on a second try.
      if (failed.length === 0 || this.epoch === epoch) return failed;
      queue = unique(failed).sort((a, b) => rank.get(a)! - rank.get(b)!);
    }
  }

  /** `queue` grows while it runs: units moved off a machine are appended. */
  private placeAll(queue: string[]): string[] {
    const failed: string[] = [];
    for (let i = 0; i < queue.length; i++) {
      const name = queue[i]!;
      if (this.placement.has(name)) continue;
      if (!this.place(this.state.units.get(name)!, queue)) failed.push(name);
    }
    return failed;
  }

  private place(unit: ClusterUnit, queue: string[]): boolean {
    const req = unit.requirements;
    let chosen: string | undefined;
    let reason: string;
    const anchors = this.anchorsOf(unit.name);
    if (req.machineId !== undefined) {
      const matching = machinesMatchingId(this.state, req.machineId);
      const ids =
        matching.length === 1
          ? [matching[0]!.id]
          : matching
              .map((m) => m.id)
              .sort((a, b) => this.slots.get(a)!.load - this.slots.get(b)!.load || compareStrings(a, b));
      chosen = ids.find((id) => this.fits(unit, id, true));
      reason = REASONS.pinned(req.machineId);
    } else if (anchors.length > 0) {
      // A non-global peer pins the follower to the peer's machine.
      const at = this.placement.get(anchors[0]!);
      if (at !== undefined && anchors.every((p) => this.placement.get(p) === at) && this.fits(unit, at, true)) {
        chosen = at;
      }
      reason = REASONS.withPeers(anchors);
    } else {
      // Units with equal constraints fail alike until some unit leaves a machine.
      const signature = () => constraintSignature(unit.name, req, this.state.relations);
      if (this.failedAt.size > 0) {
        const key = signature();
        if (key !== undefined && this.failedAt.get(key) === this.epoch) return false;
      }
      chosen = this.queueFor(req.metadata).find((id) => this.fits(unit, id, false));
      if (chosen === undefined) {
        const key = signature();
        if (key !== undefined) this.failedAt.set(key, this.epoch);
        return false;
      }
      reason = REASONS.leastLoaded(this.slots.get(chosen)!.load);
    }
    if (chosen === undefined) return false;
    this.assign(unit.name, chosen, reason, queue);
    return true;
  }

  /** Whether the unit may join the machine now (fleet's AbleToRun, minus what the caller knows). */
  private fits(unit: ClusterUnit, machineId: string, checkMetadata: boolean): boolean {
    const slot = this.slots.get(machineId)!;
    if (checkMetadata && !metadataSatisfied(unit.requirements.metadata, slot.machine.metadata)) return false;
    for (const peer of this.peersOf(unit.name)) {
      if (!this.isPresent(machineId, peer)) return false;
    }
    if (slot.conflicts(unit.name) || slot.displacer(unit.name) !== undefined) return false;
    return this.displacementBlocker(unit.name, machineId) === undefined;
  }

  displacementBlocker(unit: string, machineId: string): DisplacementBlocker | undefined {
    const victims = this.slots.get(machineId)!.displacedBy(unit);
    if (victims.length === 0) return undefined;
    // Moving a unit's own peer would move the unit with it, and so on forever.
    const peers = this.peerClosure(unit);
    const peer = victims.find((v) => peers.has(v));
    if (peer !== undefined) return { kind: 'peer', unit: peer };
    // A safety net: no unit is moved by Replaces= over and over within one pass.
    const tired = victims.find((v) => (this.displacements.get(v) ?? 0) >= DISPLACEMENT_LIMIT);
    return tired === undefined ? undefined : { kind: 'limit', unit: tired };
  }

  private assign(name: string, machineId: string, reason: string, queue: string[]): void {
    const slot = this.slots.get(machineId)!;
    slot.add(name);
    this.placement.set(name, machineId);
    this.placed.set(name, { seq: this.seq++, reason });
    // Units this one replaces move on (fleet: to the least-loaded other machine).
    for (const victim of slot.displacedBy(name)) {
      this.displacements.set(victim, (this.displacements.get(victim) ?? 0) + 1);
      this.evictWithFollowers(victim, machineId, REASONS.replaced(machineId, name), queue);
    }
  }

  /** Non-global MachineOf peers, their peers, and so on. */
  private peerClosure(name: string): ReadonlySet<string> {
    const seen = new Set<string>();
    const work = [...this.anchorsOf(name)];
    for (let i = 0; i < work.length; i++) {
      const peer = work[i]!;
      if (seen.has(peer)) continue;
      seen.add(peer);
      work.push(...this.anchorsOf(peer));
    }
    return seen;
  }

  private evictWithFollowers(name: string, machineId: string, reason: string, queue: string[]): void {
    const work: [string, string][] = [[name, reason]];
    for (let i = 0; i < work.length; i++) {
      const [unit, why] = work[i]!;
      if (this.placement.get(unit) !== machineId) continue;
      this.unschedule(unit, machineId, why);
      queue.push(unit);
      for (const follower of this.state.followers.get(unit) ?? NONE) {
        if (this.placement.get(follower) === machineId) {
          work.push([follower, REASONS.peerMissing(machineId, unit)]);
        }
      }
    }
  }

  private unschedule(name: string, machineId: string, reason: string): void {
    this.placement.delete(name);
    const slot = this.slots.get(machineId);
    if (slot?.has(name)) {
      slot.remove(name);
      for (const queue of this.queuesOf.get(machineId) ?? []) queue.lowered(machineId);
    }
    this.epoch++;
    if (this.state.schedule.get(name) === machineId && !this.leftOrigin.has(name)) {
      this.leftOrigin.set(name, { seq: this.seq++, reason });
    }
  }

  /** Least-loaded order over the machines that satisfy one MachineMetadata requirement. */
  private queueFor(metadata: UnitRequirements['metadata']): LeastLoadedQueue {
    const key = metadataKey(metadata);
    let queue = this.queues.get(key);
    if (queue === undefined) {
      const ids = this.state.machines.filter((m) => metadataSatisfied(metadata, m.metadata)).map((m) => m.id);
      queue = new LeastLoadedQueue(ids, (id) => this.slots.get(id)!.load);
      this.queues.set(key, queue);
      for (const id of ids) {
        const list = this.queuesOf.get(id);
        if (list === undefined) this.queuesOf.set(id, [queue]);
        else list.push(queue);
      }
    }
    return queue;
  }

  /** MachineOf= peers, deduplicated. */
  private peersOf(name: string): readonly string[] {
    const listed = this.state.units.get(name)?.requirements.machineOf ?? NONE;
    if (listed.length === 0) return NONE;
    let peers = this.peerCache.get(name);
    if (peers === undefined) {
      peers = unique(listed);
      this.peerCache.set(name, peers);
    }
    return peers;
  }

  /** Peers that are known non-global units: they pin the follower to their machine. */
  private anchorsOf(name: string): readonly string[] {
    const peers = this.peersOf(name);
    if (peers.length === 0) return NONE;
    return peers.filter((p) => {
      const unit = this.state.units.get(p);
      return unit !== undefined && !unit.requirements.global;
    });
  }

  // ---- result ----

  /** Compares the end state with the snapshot: one action per real change, with its reason. */
  private netActions(): PlanAction[] {
    const unschedules: [number, PlanAction][] = [];
    const schedules: [number, PlanAction][] = [];
    for (const stray of this.state.strayTargets) {
      unschedules.push([-1, { kind: 'unschedule', unit: stray.unit, machineId: stray.machineId, reason: stray.reason }]);
    }
    for (const [unit, origin] of this.state.schedule) {
      if (this.placement.get(unit) === origin) continue;
      const left = this.leftOrigin.get(unit)!;
      unschedules.push([left.seq, { kind: 'unschedule', unit, machineId: origin, reason: left.reason }]);
    }
    for (const [unit, decision] of this.placed) {
      const machineId = this.placement.get(unit);
      if (machineId === undefined || this.state.schedule.get(unit) === machineId) continue;
      schedules.push([decision.seq, { kind: 'schedule', unit, machineId, reason: decision.reason }]);
    }
    const bySeq = (a: [number, PlanAction], b: [number, PlanAction]) => a[0] - b[0];
    return [...unschedules.sort(bySeq), ...schedules.sort(bySeq)].map(([, action]) => action);
  }
}
