/**
 * The cluster's nouns, as fleet named them. These are plain values: the registry decodes etcd
 * records into them (validating with zod), and the pure engine/agent code decides over them.
 */

/** What the user asked for a unit: known only, placed and created, or placed and running. */
export const TARGET_STATES = ['inactive', 'loaded', 'launched'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

/** The `[X-Fleet]` section, resolved for one unit name (specifiers already substituted). */
export interface UnitRequirements {
  /** MachineID= (first value wins); full id or 8-char short id. */
  readonly machineId?: string;
  /** MachineOf= peers: exact unit names that must be scheduled on the same machine. */
  readonly machineOf: readonly string[];
  /** MachineMetadata=: key → allowed values (OR within a key, AND across keys). */
  readonly metadata: Readonly<Record<string, readonly string[]>>;
  /** Conflicts= globs (Go path.Match syntax), already split on whitespace. */
  readonly conflicts: readonly string[];
  /** Global= (last value wins). */
  readonly global: boolean;
  /** Replaces= globs. */
  readonly replaces: readonly string[];
}

/** A unit as stored in the registry. */
export interface UnitRecord {
  readonly name: string;
  /** SHA-1 (40 hex) of the canonical contents. */
  readonly hash: string;
  /** Canonical unit text (see serializeUnitFile). */
  readonly contents: string;
  readonly targetState: TargetState;
}

/** A live machine, as registered by its agent. */
export interface MachineInfo {
  /** 32 hex characters, like /etc/machine-id. */
  readonly id: string;
  readonly publicIp: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly version: string;
}

/** systemd-style state an agent publishes for one unit on its machine. */
export interface UnitState {
  readonly name: string;
  readonly machineId: string;
  readonly hash: string;
  /** loaded | not-found */
  readonly loadState: string;
  /** active | inactive | failed | activating | deactivating */
  readonly activeState: string;
  /** running | dead | failed | exited | start-pre … */
  readonly subState: string;
}

/** Docker labels fleet puts on every container it owns; the agent recognises containers by them. */
export const CONTAINER_LABELS = {
  unit: 'fleet.unit',
  hash: 'fleet.hash',
  machine: 'fleet.machine',
} as const;
