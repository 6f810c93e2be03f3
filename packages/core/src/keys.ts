import { FleetError } from './errors.js';

/**
 * The etcd v3 key layout, as pure functions of a configurable prefix (fleet's `etcd_key_prefix`).
 * docs/keyspace.md says who writes, reads and watches each key. The layout is built so that a
 * change to one unit wakes only the engine and the agents concerned: agents watch their own
 * `schedule/<machineId>/` prefix and the small `global/` prefix, never `units/`.
 */

export const DEFAULT_KEY_PREFIX = '/_coreos.com/fleet/';

/** A key component (unit name, machine id) that would break the layout. */
export class KeyComponentError extends FleetError {
  constructor(message: string) {
    super('KEY_INVALID', message);
  }
}

export interface Keyspace {
  /** Normalised prefix, always ending in `/`. */
  readonly prefix: string;
  /** `units/<name>`: the unit record (fleetctl writes). */
  unit(name: string): string;
  unitsPrefix(): string;
  /** `global/<name>`: copy of a Global=true unit record (written with `units/<name>`). */
  global(name: string): string;
  globalsPrefix(): string;
  /** `schedule/<machineId>/<name>`: the engine's assignment, a self-contained unit copy. */
  schedule(machineId: string, name: string): string;
  machineSchedulePrefix(machineId: string): string;
  schedulePrefix(): string;
  /** `machines/<machineId>`: lease-bound presence record (the agent writes). */
  machine(machineId: string): string;
  machinesPrefix(): string;
  /** `states/<name>/<machineId>`: lease-bound unit state (the agent writes). */
  state(name: string, machineId: string): string;
  unitStatesPrefix(name: string): string;
  statesPrefix(): string;
  /** `engine/unschedulable/<name>`: why the engine could not place a unit. */
  unschedulable(name: string): string;
  unschedulablePrefix(): string;
  /** `engine/`: namespace of etcd3's election API (`engine/election/<name>/<leaseId>`). */
  engineNamespace(): string;
}

/** Which record a key holds, with the components parsed back out of it. */
export type ParsedKey =
  | { readonly kind: 'unit'; readonly name: string }
  | { readonly kind: 'global'; readonly name: string }
  | { readonly kind: 'schedule'; readonly machineId: string; readonly name: string }
  | { readonly kind: 'machine'; readonly machineId: string }
  | { readonly kind: 'state'; readonly name: string; readonly machineId: string }
  | { readonly kind: 'unschedulable'; readonly name: string };

/** A non-empty string without `/` (which would shift the layout) or NUL. */
export function isKeyComponent(value: string): boolean {
  return value.length > 0 && !value.includes('/') && !value.includes('\0');
}

function component(value: string, what: string): string {
  if (!isKeyComponent(value)) {
    throw new KeyComponentError(`invalid ${what} for an etcd key: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Appends the trailing `/` fleet's prefixes have; an empty prefix is refused. */
export function normalizeKeyPrefix(prefix: string): string {
  if (prefix.length === 0) throw new KeyComponentError('etcd key prefix must not be empty');
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

export function buildKeyspace(prefix: string = DEFAULT_KEY_PREFIX): Keyspace {
  const p = normalizeKeyPrefix(prefix);
  return {
    prefix: p,
    unit: (name) => `${p}units/${component(name, 'unit name')}`,
    unitsPrefix: () => `${p}units/`,
    global: (name) => `${p}global/${component(name, 'unit name')}`,
    globalsPrefix: () => `${p}global/`,
    schedule: (machineId, name) =>
      `${p}schedule/${component(machineId, 'machine id')}/${component(name, 'unit name')}`,
    machineSchedulePrefix: (machineId) => `${p}schedule/${component(machineId, 'machine id')}/`,
    schedulePrefix: () => `${p}schedule/`,
    machine: (machineId) => `${p}machines/${component(machineId, 'machine id')}`,
    machinesPrefix: () => `${p}machines/`,
    state: (name, machineId) =>
      `${p}states/${component(name, 'unit name')}/${component(machineId, 'machine id')}`,
    unitStatesPrefix: (name) => `${p}states/${component(name, 'unit name')}/`,
    statesPrefix: () => `${p}states/`,
    unschedulable: (name) => `${p}engine/unschedulable/${component(name, 'unit name')}`,
    unschedulablePrefix: () => `${p}engine/unschedulable/`,
    engineNamespace: () => `${p}engine/`,
  };
}

/**
 * Parses a full key back into its kind and components; undefined for keys outside the layout
 * (foreign keys under the prefix, election keys, a component with a stray `/`).
 */
export function parseKey(keyspace: Keyspace, key: string): ParsedKey | undefined {
  if (!key.startsWith(keyspace.prefix)) return undefined;
  const parts = key.slice(keyspace.prefix.length).split('/');
  if (parts.some((part) => !isKeyComponent(part))) return undefined;
  const [first, second, third] = parts;
  if (second === undefined) return undefined;
  if (parts.length === 2) {
    if (first === 'units') return { kind: 'unit', name: second };
    if (first === 'global') return { kind: 'global', name: second };
    if (first === 'machines') return { kind: 'machine', machineId: second };
    return undefined;
  }
  if (parts.length !== 3 || third === undefined) return undefined;
  if (first === 'schedule') return { kind: 'schedule', machineId: second, name: third };
  if (first === 'states') return { kind: 'state', name: second, machineId: third };
  if (first === 'engine' && second === 'unschedulable') {
    return { kind: 'unschedulable', name: third };
  }
  return undefined;
}
