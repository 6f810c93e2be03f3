import type { ContainerSpec } from '@fleet/core';
import type { DesiredUnit } from './desired.js';

/**
 * The agent's pure decision: desired units on this machine vs the fleet containers Docker reports
 * → an ordered task list, each task with a human reason (fleet.md §6.3, for containers).
 * `loaded` = container created, not started; `launched` = started.
 */

export type ContainerStatus = 'created' | 'running' | 'exited' | 'other';

export interface ObservedContainer {
  readonly id: string;
  readonly unit: string;
  readonly hash: string;
  readonly status: ContainerStatus;
  readonly exitCode?: number;
  /** ms since epoch, when the container last started. */
  readonly startedAt?: number;
  /** ms since epoch, when the container last exited. */
  readonly finishedAt?: number;
}

/** What the agent remembers between passes about one unit's launch (lost on restart, by design). */
export interface LaunchRecord {
  /** The container this launch started (or adopted running). */
  readonly containerId: string;
  /** Restarts applied by Restart= since the launch. */
  readonly restarts: number;
}

export type RestartPolicy = ContainerSpec['restart'];

export interface RestartSettings {
  readonly policy: RestartPolicy;
  readonly restartSecMs: number;
}

export const TASK_ORDER = ['remove', 'create', 'stop', 'start'] as const;
export type TaskKind = (typeof TASK_ORDER)[number];

export interface AgentTask {
  readonly kind: TaskKind;
  readonly unit: string;
  /** For remove/stop/start: the container acted on. */
  readonly containerId?: string;
  /** For create: the unit's hash; for start after create, the new container is found by unit. */
  readonly hash?: string;
  /** Set on a start that applies Restart=: the launch's restart count once this start is done. */
  readonly restarts?: number;
  readonly reason: string;
}

export const REASONS = {
  notScheduledHere: 'unit loaded but not scheduled here',
  hashDiffers: 'unit loaded but hash differs to expected',
  duplicate: 'more than one container for this unit',
  scheduledNotLoaded: 'unit scheduled here but not loaded',
  launchedWantLoaded: 'unit currently launched but desired state is loaded',
  loadedWantLaunched: 'unit currently loaded but desired state is launched',
  restartAlways: 'container exited and Restart=always',
  restartOnFailure: (code: number) => `container exited with code ${code} and Restart=on-failure`,
} as const;

/** Longest wait between restarts, however many failures. */
export const MAX_RESTART_DELAY_MS = 60_000;
/** A container that ran this long before exiting starts its backoff afresh. */
export const STABLE_RUN_MS = 60_000;

/** RestartSec doubled per consecutive restart (systemd keeps it constant; we back off so a crash loop cannot hammer the host). */
export function restartDelayMs(settings: RestartSettings, restarts: number): number {
  const base = Math.max(settings.restartSecMs, 100);
  return Math.min(base * 2 ** Math.min(restarts, 20), MAX_RESTART_DELAY_MS);
}

export interface TaskInput {
  readonly desired: readonly DesiredUnit[];
  readonly containers: readonly ObservedContainer[];
  readonly launches: ReadonlyMap<string, LaunchRecord>;
  readonly restartSettings: (unit: string) => RestartSettings;
  readonly now: number;
}

export interface TaskPlan {
  readonly tasks: AgentTask[];
  /** Units whose exited container Restart= will start again later. */
  readonly pendingRestarts: string[];
  /** The earliest time a pending restart is due: when the agent should run another pass. */
  readonly wakeAt?: number;
}

/** Whether an exited container of a launched unit should be restarted, and when. */
function restartDecision(
  c: ObservedContainer,
  settings: RestartSettings,
  restarts: number,
): { restart: false } | { restart: true; at: number; reason: string; restarts: number } {
  const code = c.exitCode ?? 0;
  let reason: string | undefined;
  if (settings.policy === 'always') reason = REASONS.restartAlways;
  else if (settings.policy === 'on-failure' && code !== 0) reason = REASONS.restartOnFailure(code);
  if (reason === undefined) return { restart: false };
  const ranLong = c.startedAt !== undefined && c.finishedAt !== undefined && c.finishedAt - c.startedAt >= STABLE_RUN_MS;
  const sofar = ranLong ? 0 : restarts;
  return { restart: true, at: (c.finishedAt ?? 0) + restartDelayMs(settings, sofar), reason, restarts: sofar + 1 };
}

export function computeTasks(input: TaskInput): TaskPlan {
  const tasks: AgentTask[] = [];
  const pendingRestarts: string[] = [];
  let wakeAt: number | undefined;
  const desiredByName = new Map(input.desired.map((d) => [d.name, d]));
  const containersByUnit = new Map<string, ObservedContainer[]>();
  for (const c of input.containers) {
    const list = containersByUnit.get(c.unit) ?? [];
    list.push(c);
    containersByUnit.set(c.unit, list);
  }
  const names = [...new Set([...desiredByName.keys(), ...containersByUnit.keys()])].sort();

  for (const name of names) {
    const want = desiredByName.get(name);
    // Prefer keeping the running container of the right hash, then the newest by id order.
    const all = [...(containersByUnit.get(name) ?? [])].sort((a, b) => rank(a, want) - rank(b, want) || a.id.localeCompare(b.id));
    if (want === undefined) {
      for (const c of all) tasks.push({ kind: 'remove', unit: name, containerId: c.id, reason: REASONS.notScheduledHere });
      continue;
    }
    const [keep, ...extra] = all;
    for (const c of extra) tasks.push({ kind: 'remove', unit: name, containerId: c.id, reason: REASONS.duplicate });
    let current = keep;
    if (current !== undefined && current.hash !== want.hash) {
      tasks.push({ kind: 'remove', unit: name, containerId: current.id, reason: REASONS.hashDiffers });
      current = undefined;
    }
    if (current === undefined) {
      tasks.push({ kind: 'create', unit: name, hash: want.hash, reason: REASONS.scheduledNotLoaded });
      if (want.targetState === 'launched') tasks.push({ kind: 'start', unit: name, reason: REASONS.loadedWantLaunched });
      continue;
    }
    if (want.targetState === 'loaded') {
      if (current.status === 'running') {
        tasks.push({ kind: 'stop', unit: name, containerId: current.id, reason: REASONS.launchedWantLoaded });
      }
      continue;
    }
    // Desired launched.
    if (current.status === 'running') continue;
    const launch = input.launches.get(name);
    if (launch === undefined || launch.containerId !== current.id || current.status === 'created') {
      // Not started by the current launch (fresh start, or after a stop, or adopted stopped).
      tasks.push({ kind: 'start', unit: name, containerId: current.id, reason: REASONS.loadedWantLaunched });
      continue;
    }
    // It died on its own while launched: Restart= decides.
    const decision = restartDecision(current, input.restartSettings(name), launch.restarts);
    if (!decision.restart) continue;
    if (decision.at <= input.now) {
      tasks.push({ kind: 'start', unit: name, containerId: current.id, restarts: decision.restarts, reason: decision.reason });
    } else {
      pendingRestarts.push(name);
      wakeAt = wakeAt === undefined ? decision.at : Math.min(wakeAt, decision.at);
    }
  }
  tasks.sort((a, b) => TASK_ORDER.indexOf(a.kind) - TASK_ORDER.indexOf(b.kind));
  return wakeAt === undefined ? { tasks, pendingRestarts } : { tasks, pendingRestarts, wakeAt };
}

function rank(c: ObservedContainer, want: DesiredUnit | undefined): number {
  let score = 0;
  if (want !== undefined && c.hash !== want.hash) score += 2;
  if (c.status !== 'running') score += 1;
  return score;
}
