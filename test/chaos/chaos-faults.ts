import { eventually, partitionFromEtcd, type Partition } from '@fleet/testkit';
import type { ChaosCluster, ChaosMachine, Impairment } from './chaos-cluster.js';
import { RESTART_CLEANUP_MS, WAKE_FENCE_MS } from './chaos-config.js';
import type { FaultKind, PlannedFault, PlannedRound } from './fault-schedule.js';

/**
 * Applies a planned round to the cluster: resolves each fault's target, applies the faults at
 * their offsets, holds each, repairs it, and waits until every repaired fleetd is running again.
 */

export interface AppliedFault {
  readonly kind: FaultKind;
  /** Machine name, or `etcd e<i>`. */
  readonly target: string;
  readonly appliedAt: number;
  /** When the repair took effect: fleetd respawned, SIGCONT, rules removed, member healthy. */
  readonly repairedAt: number;
}

export interface RoundResult {
  readonly faults: readonly AppliedFault[];
  /** The last repair of the round. */
  readonly repairedAt: number;
  /** Problems that are invariant violations (a fleetd that did not come back). */
  readonly violations: readonly string[];
}

type Target = { readonly machine: ChaosMachine } | { readonly etcdMember: number };

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class FaultRunner {
  /** Partitions not healed yet, healed by cleanup() whatever happened. */
  private readonly partitions = new Set<Partition>();

  constructor(private readonly chaos: ChaosCluster) {}

  async runRound(round: PlannedRound): Promise<RoundResult> {
    const targets = await this.resolveTargets(round.faults);
    const violations: string[] = [];
    const results = await Promise.allSettled(
      round.faults.map(async (fault, i) => {
        await delay(fault.offsetMs);
        return this.applyAndRepair(fault, targets[i]!, violations);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const faults = results.map((r) => (r as PromiseFulfilledResult<AppliedFault>).value);
    return { faults, repairedAt: Math.max(...faults.map((f) => f.repairedAt)), violations };
  }

  async cleanup(): Promise<void> {
    for (const p of this.partitions) await p.heal();
    this.partitions.clear();
  }

  /** The engine leader for a leader kill first, then the other machine faults on distinct machines. */
  private async resolveTargets(faults: readonly PlannedFault[]): Promise<Target[]> {
    const { cluster, machines } = this.chaos;
    const taken = new Set<ChaosMachine>();
    const targets: Target[] = [];
    for (const fault of faults) {
      if (fault.kind === 'etcd-member-kill') {
        const leader = fault.etcdLeader ? await cluster.etcdLeader() : undefined;
        targets.push({ etcdMember: leader ?? Math.floor(fault.pick * cluster.etcdMembers.length) });
        continue;
      }
      let machine: ChaosMachine;
      if (fault.kind === 'leader-kill') {
        const leaderId = await eventually(async () => (await cluster.engineLeader()) ?? false, { timeoutMs: 20_000, what: 'an engine leader' });
        machine = machines.find((m) => m.machineId === leaderId)!;
      } else {
        const free = machines.filter((m) => !taken.has(m));
        machine = free[Math.floor(fault.pick * free.length)]!;
      }
      taken.add(machine);
      targets.push({ machine });
    }
    return targets;
  }

  private async applyAndRepair(fault: PlannedFault, target: Target, violations: string[]): Promise<AppliedFault> {
    if ('etcdMember' in target) {
      const i = target.etcdMember;
      await this.chaos.killEtcdMember(i);
      const appliedAt = Date.now();
      await delay(fault.holdMs);
      await this.chaos.restartEtcdMember(i);
      return { kind: fault.kind, target: `etcd e${i}`, appliedAt, repairedAt: Date.now() };
    }
    const { machine } = target;
    const applied = (appliedAt: number, repairedAt: number): AppliedFault => ({ kind: fault.kind, target: machine.name, appliedAt, repairedAt });
    switch (fault.kind) {
      case 'fleetd-kill':
      case 'leader-kill':
      case 'host-kill': {
        const impairment = this.chaos.impair(machine.name, RESTART_CLEANUP_MS);
        if (fault.kind === 'host-kill') await machine.killHost();
        else await machine.killFleetd();
        const appliedAt = Date.now();
        await delay(fault.holdMs);
        const { spawnedAt, ready } = fault.kind === 'host-kill' ? await this.chaos.restartHost(machine) : await machine.restartFleetd();
        await this.awaitReady(machine, impairment, ready, violations);
        return applied(appliedAt, spawnedAt);
      }
      case 'freeze': {
        const impairment = this.chaos.impair(machine.name, WAKE_FENCE_MS);
        machine.freeze();
        const appliedAt = Date.now();
        await delay(fault.holdMs);
        machine.thaw();
        impairment.back = Date.now();
        return applied(appliedAt, impairment.back);
      }
      case 'partition': {
        const partition = await partitionFromEtcd(machine.fleetd, this.chaos.cluster.etcdMembers);
        this.partitions.add(partition);
        const appliedAt = Date.now();
        await delay(fault.holdMs);
        await partition.heal();
        this.partitions.delete(partition);
        return applied(appliedAt, Date.now());
      }
      case 'etcd-member-kill':
        throw new Error('an etcd fault has an etcd member as target');
    }
  }

  private async awaitReady(machine: ChaosMachine, impairment: Impairment, ready: Promise<number>, violations: string[]): Promise<void> {
    try {
      impairment.back = await ready;
    } catch (error) {
      impairment.back = Date.now();
      // On a hung dockerd (an environment failure, docker-probe.ts) fleetd may not get that far;
      // the hang's repair starts it again on a fresh one.
      if (this.chaos.unrepairedHang(machine.name) !== undefined) return;
      violations.push(`fleetd-${machine.name} did not start again: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
