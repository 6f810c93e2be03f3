import type { ScheduledUnit, UnitRecord, UnschedulableRecord } from '@fleet/core';
import type { ScheduleChange } from '@fleet/registry';
import type { Plan } from './plan.js';

/**
 * Turns a plan into the registry writes that carry it out, and keeps what agents read in step:
 * every schedule entry is a self-contained copy of its unit (so an agent watches only its own
 * prefix), so a unit whose hash or target state changed gets its copy refreshed in place; and the
 * engine's "why not placed" records follow the plan's unschedulable list. Pure.
 */
export interface StoredUnitView {
  readonly record: UnitRecord;
  readonly modRevision: string;
}

export interface SyncInput {
  readonly units: ReadonlyMap<string, StoredUnitView>;
  /** unit → (machine → the copy stored there); more than one machine only after a race. */
  readonly schedule: ReadonlyMap<string, ReadonlyMap<string, ScheduledUnit>>;
  /** The unit → machine mapping the plan was computed from (one machine per unit). */
  readonly placement: ReadonlyMap<string, string>;
  readonly unschedulable: ReadonlyMap<string, UnschedulableRecord>;
  readonly plan: Plan;
}

export interface LoggedChange {
  readonly change: ScheduleChange;
  readonly reason: string;
}

export const SYNC_REASONS = {
  duplicate: (kept: string) => `unit is also scheduled on ${kept.slice(0, 8)}; keeping one copy`,
  refresh: 'unit contents or desired state changed',
} as const;

function sameCopy(a: ScheduledUnit, b: UnitRecord): boolean {
  return a.hash === b.hash && a.targetState === b.targetState && a.contents === b.contents && a.name === b.name;
}

export function syncChanges(input: SyncInput): LoggedChange[] {
  const out: LoggedChange[] = [];
  const unscheduled = new Set<string>();

  // Extra copies left by a race: keep the one the plan reasoned about.
  for (const [name, byMachine] of [...input.schedule].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const kept = input.placement.get(name);
    for (const machineId of [...byMachine.keys()].sort()) {
      if (kept !== undefined && machineId !== kept) {
        out.push({ change: { kind: 'unschedule', machineId, name }, reason: SYNC_REASONS.duplicate(kept) });
      }
    }
  }

  for (const action of input.plan.actions) {
    if (action.kind === 'unschedule') {
      unscheduled.add(action.unit);
      out.push({ change: { kind: 'unschedule', machineId: action.machineId, name: action.unit }, reason: action.reason });
      continue;
    }
    const unit = input.units.get(action.unit);
    if (unit === undefined) continue; // The planner only schedules units it was given.
    unscheduled.delete(action.unit);
    out.push({
      change: { kind: 'schedule', machineId: action.machineId, unit: unit.record, unitRevision: unit.modRevision },
      reason: action.reason,
    });
  }
  const scheduledNow = new Set(input.plan.actions.filter((a) => a.kind === 'schedule').map((a) => a.unit));

  // Copies that stay where they are but no longer match their unit.
  for (const [name, machineId] of [...input.placement].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (unscheduled.has(name) || scheduledNow.has(name)) continue;
    const unit = input.units.get(name);
    const copy = input.schedule.get(name)?.get(machineId);
    if (unit === undefined || copy === undefined || sameCopy(copy, unit.record)) continue;
    out.push({
      change: { kind: 'schedule', machineId, unit: unit.record, unitRevision: unit.modRevision },
      reason: SYNC_REASONS.refresh,
    });
  }

  // "Why not placed" records: write new or changed ones, clear the rest.
  const wanted = new Map(input.plan.unschedulable.map((u) => [u.unit, u]));
  for (const [name, u] of [...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const record: UnschedulableRecord = { name, summary: u.summary, machines: u.machines.map((m) => ({ machineId: m.machineId, reason: m.reason })) };
    const old = input.unschedulable.get(name);
    if (old !== undefined && JSON.stringify(old) === JSON.stringify(record)) continue;
    out.push({ change: { kind: 'mark-unschedulable', record }, reason: u.summary });
  }
  for (const name of [...input.unschedulable.keys()].sort()) {
    if (!wanted.has(name)) out.push({ change: { kind: 'clear-unschedulable', name }, reason: 'unit placed, stopped or destroyed' });
  }
  return out;
}
