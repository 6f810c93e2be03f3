import { randomInt } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { Cluster, FleetdMachine } from '@fleet/testkit';

/** Shared helpers of the reliability tests: container facts from every dockerd, fleetd logs. */

export interface UnitContainer {
  readonly machine: FleetdMachine;
  readonly id: string;
  readonly unit: string;
  readonly running: boolean;
  /** Epoch ms (Docker's StartedAt / FinishedAt, to the ms). */
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Docker's StartedAt string, compared verbatim to prove a container never restarted. */
  readonly startedAtText: string;
}

const toMs = (text: string): number => (text.startsWith('0001-') ? 0 : Date.parse(text));

/** Every fleet container of `unit` (or of every unit) on every machine whose dockerd is up. */
export async function containers(cluster: Cluster, unit?: string): Promise<UnitContainer[]> {
  const out: UnitContainer[] = [];
  for (const machine of cluster.machines) {
    // A dead host (killHost) runs nothing.
    if (machine.docker.process.hasExited()) continue;
    const filters = { label: unit === undefined ? ['fleet.unit'] : [`fleet.unit=${unit}`] };
    const list = await machine.docker.docker.listContainers({ all: true, filters });
    for (const info of list) {
      const inspect = await machine.docker.docker.getContainer(info.Id).inspect();
      out.push({
        machine,
        id: info.Id,
        unit: info.Labels['fleet.unit'] ?? '',
        running: inspect.State.Running,
        startedAt: toMs(inspect.State.StartedAt),
        finishedAt: toMs(inspect.State.FinishedAt),
        startedAtText: inspect.State.StartedAt,
      });
    }
  }
  return out.sort((a, b) => (a.unit === b.unit ? a.machine.index - b.machine.index : a.unit < b.unit ? -1 : 1));
}

/** unit → the machines it runs on now. */
export async function runningHosts(cluster: Cluster): Promise<Map<string, string[]>> {
  const hosts = new Map<string, string[]>();
  for (const c of await containers(cluster)) {
    if (!c.running) continue;
    hosts.set(c.unit, [...(hosts.get(c.unit) ?? []), c.machine.machineId]);
  }
  return hosts;
}

/** unit → machine ids it is scheduled on, from the registry. */
export async function scheduleOf(cluster: Cluster): Promise<Map<string, string[]>> {
  const snap = await cluster.registry.snapshot();
  const out = new Map<string, string[]>();
  for (const e of snap.schedule) out.set(e.unit.name, [...(out.get(e.unit.name) ?? []), e.machineId].sort());
  return out;
}

export interface LogLine {
  readonly msg: string;
  readonly level: number;
  readonly time: number;
  readonly [field: string]: unknown;
}

/** Where a fleetd log ends now: read what comes after with logSince. */
export async function logMark(machine: FleetdMachine): Promise<number> {
  return (await stat(machine.process.logFile)).size;
}

/** fleetd's JSON log lines written after `mark`. */
export async function logSince(machine: FleetdMachine, mark = 0): Promise<LogLine[]> {
  const text = (await readFile(machine.process.logFile)).subarray(mark).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

/**
 * Asserts `check` holds on every poll for `ms`: for "nothing happens during X" claims. Throws at
 * the first poll where it does not.
 */
export async function holdsFor(check: () => Promise<void>, ms: number, intervalMs = 250): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    await check();
    if (Date.now() >= end) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, end - Date.now())));
  }
}

/** A fresh 127.x.y.0 base, so that partition rules of parallel runs never name the same address. */
export function loopbackBase(): string {
  return `127.${randomInt(100, 250)}.${randomInt(1, 250)}.`;
}

/** Container-changing log lines (what a storm or a fence would write). */
export const CONTAINER_CHANGES = ['started container', 'stopped container', 'removed container', 'created container'];
