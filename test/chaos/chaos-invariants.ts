import type { UnitCatalogue } from './chaos-units.js';

/**
 * Pure checks over what the observer saw: which units run twice, which conflicting units share a
 * machine, and what still keeps the cluster from its converged state.
 */

/** One poll of every reachable Docker daemon. */
export interface Observation {
  /** Epoch ms when the poll started. */
  readonly at: number;
  /** Machine name → units with a running container there; a machine is absent when not observed (host down, poll failed). */
  readonly running: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface MachineFacts {
  readonly name: string;
  readonly id: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** unit → machines (by name) running it, sorted. */
export function hostsByUnit(observation: Observation): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const [machine, units] of [...observation.running].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const u of units) hosts.set(u, [...(hosts.get(u) ?? []), machine]);
  }
  return hosts;
}

/** Non-global units running on more than one machine: unit → machines. */
export function doubleRuns(observation: Observation, catalogue: UnitCatalogue): Map<string, string[]> {
  const globals = new Set(catalogue.globals.map((g) => g.name));
  const out = new Map<string, string[]>();
  for (const [unit, machines] of hostsByUnit(observation)) if (!globals.has(unit) && machines.length > 1) out.set(unit, machines);
  return out;
}

/** Two units of the Conflicts group running on one machine: `machine: a + b` → machine. */
export function conflictOverlaps(observation: Observation, catalogue: UnitCatalogue): Map<string, string> {
  const group = new Set(catalogue.conflictGroup);
  const out = new Map<string, string>();
  for (const [machine, units] of observation.running) {
    const here = [...units].filter((u) => group.has(u)).sort();
    for (let i = 0; i < here.length; i++) for (let j = i + 1; j < here.length; j++) out.set(`${machine}: ${here[i]} + ${here[j]}`, machine);
  }
  return out;
}

function matches(metadata: Readonly<Record<string, string>>, required: Readonly<Record<string, string>>): boolean {
  return Object.entries(required).every(([k, v]) => metadata[k] === v);
}

/**
 * What keeps the cluster from having converged (empty: converged). Converged: every machine
 * registered and observed; every single unit running exactly once, where the schedule puts it;
 * every follower with its peer; as many Conflicts-group units running as there are machines, one
 * per machine; each Global unit on exactly the machines it matches; nothing else running.
 * `schedule`: unit → machine ids it is scheduled on.
 */
export function convergenceGaps(
  catalogue: UnitCatalogue,
  machines: readonly MachineFacts[],
  observation: Observation,
  registered: ReadonlySet<string>,
  schedule: ReadonlyMap<string, readonly string[]>,
): string[] {
  const gaps: string[] = [];
  const byName = new Map(machines.map((m) => [m.name, m]));
  for (const m of machines) {
    if (!registered.has(m.id)) gaps.push(`${m.name} is not registered`);
    if (!observation.running.has(m.name)) gaps.push(`${m.name} was not observed`);
  }
  const hosts = hostsByUnit(observation);
  const on = (unit: string): string[] => hosts.get(unit) ?? [];
  const scheduledOn = (unit: string): string[] => (schedule.get(unit) ?? []).map((id) => machines.find((m) => m.id === id)?.name ?? id).sort();
  const runsWhereScheduled = (unit: string): void => {
    const where = scheduledOn(unit);
    if (on(unit).length === 1 && JSON.stringify(where) !== JSON.stringify(on(unit))) {
      gaps.push(`${unit} runs on ${on(unit).join(',')} but is scheduled on [${where.join(',')}]`);
    }
  };
  for (const unit of catalogue.single) {
    if (on(unit).length !== 1) gaps.push(`${unit} runs on [${on(unit).join(',')}]`);
    runsWhereScheduled(unit);
  }
  for (const [peer, follower] of catalogue.pairs) {
    if (on(peer).length === 1 && on(follower).length === 1 && on(peer)[0] !== on(follower)[0]) {
      gaps.push(`${follower} runs on ${on(follower)[0]}, its peer ${peer} on ${on(peer)[0]}`);
    }
  }
  const group = catalogue.conflictGroup;
  const groupRunning = group.filter((u) => on(u).length > 0);
  const expected = Math.min(group.length, machines.length);
  if (groupRunning.length !== expected) gaps.push(`${groupRunning.length} of the Conflicts group run, expected ${expected}`);
  for (const unit of groupRunning) {
    if (on(unit).length !== 1) gaps.push(`${unit} runs on [${on(unit).join(',')}]`);
    runsWhereScheduled(unit);
  }
  for (const machine of machines) {
    const here = groupRunning.filter((u) => on(u).includes(machine.name));
    if (here.length > 1) gaps.push(`${machine.name} runs conflicting ${here.join(', ')}`);
  }
  for (const g of catalogue.globals) {
    const want = machines.filter((m) => matches(m.metadata, g.metadata)).map((m) => m.name).sort();
    if (JSON.stringify(on(g.name)) !== JSON.stringify(want)) gaps.push(`${g.name} runs on [${on(g.name).join(',')}], expected [${want.join(',')}]`);
  }
  for (const [unit, ids] of [...schedule].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const id of ids) {
      const machine = machines.find((m) => m.id === id);
      if (machine === undefined) gaps.push(`${unit} is scheduled on unknown machine ${id}`);
      else if (!on(unit).includes(machine.name)) gaps.push(`${unit} is scheduled on ${machine.name} but does not run there`);
    }
  }
  const known = new Set(Object.keys(catalogue.files));
  for (const unit of hosts.keys()) if (!known.has(unit)) gaps.push(`unknown unit ${unit} runs on [${on(unit).join(',')}]`);
  for (const name of observation.running.keys()) if (!byName.has(name)) gaps.push(`unknown machine ${name}`);
  return gaps;
}
