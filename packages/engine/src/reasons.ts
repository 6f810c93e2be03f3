import { shortMachineId } from '@fleet/core';
import { compareStrings } from './glob-scan.js';

/**
 * Every human-readable string the planner produces. They are part of the test contract and show up
 * in logs and CLI output, so change them deliberately.
 */

type Metadata = Readonly<Record<string, readonly string[]>>;

/** `disk=ssd, region=eu|us-west`: keys sorted, allowed values joined with `|`. */
export function formatMetadataRequirement(required: Metadata): string {
  return Object.keys(required)
    .sort(compareStrings)
    .map((key) => `${key}=${(required[key] ?? []).join('|')}`)
    .join(', ');
}

/** What a machine has for the keys it fails: `region=us-west`, `no region`. */
export function formatMetadataShortfall(
  required: Metadata,
  actual: Readonly<Record<string, string>>,
): string {
  const parts: string[] = [];
  for (const key of Object.keys(required).sort(compareStrings)) {
    const value = Object.hasOwn(actual, key) ? actual[key] : undefined;
    if (value === undefined) parts.push(`no ${key}`);
    else if (!(required[key] ?? []).includes(value)) parts.push(`${key}=${value}`);
  }
  return parts.join(', ');
}

const units = (n: number) => `${n} ${n === 1 ? 'unit' : 'units'}`;
const short = shortMachineId;

/** Reasons carried by plan actions. */
export const REASONS = {
  desiredInactive: 'desired state is inactive',
  unitGone: 'unit no longer exists',
  globalUnit: 'global units are never scheduled',
  machineWentAway: (machineId: string) => `target machine ${short(machineId)} went away`,
  machineIdMismatch: (machineId: string, required: string) =>
    `machine ${short(machineId)} does not match MachineID ${required}`,
  metadataMismatch: (machineId: string, required: Metadata) =>
    `machine ${short(machineId)} no longer satisfies MachineMetadata ${formatMetadataRequirement(required)}`,
  peerMissing: (machineId: string, peer: string) =>
    `MachineOf peer ${peer} is not on machine ${short(machineId)}`,
  conflict: (machineId: string, other: string) =>
    `conflicts with ${other} on machine ${short(machineId)}`,
  replaced: (machineId: string, by: string) => `replaced by ${by} on machine ${short(machineId)}`,
  leastLoaded: (load: number) => `unit scheduled on least-loaded eligible machine (${units(load)})`,
  pinned: (required: string) => `unit scheduled on the machine matching MachineID ${required}`,
  withPeers: (peers: readonly string[]) =>
    `unit scheduled with its MachineOf ${peers.length === 1 ? 'peer' : 'peers'} ${peers.join(', ')}`,
} as const;

/** Why one machine cannot take an unschedulable unit. */
export const MACHINE_REASONS = {
  machineIdMismatch: (required: string) => `does not match MachineID ${required}`,
  metadataMismatch: (required: Metadata, shortfall: string) =>
    `MachineMetadata ${formatMetadataRequirement(required)} not satisfied (${shortfall})`,
  peerAbsent: (peer: string) => `MachineOf peer ${peer} is not on this machine`,
  conflict: (other: string) => `hosts conflicting unit ${other}`,
  displaced: (by: string) => `hosts ${by}, which replaces it`,
  replacesOwnPeer: (peer: string) => `would replace its own MachineOf peer ${peer}`,
  movedTooOften: (victim: string) => `would move ${victim}, which Replaces= already moved too often in this pass`,
  eligible: 'eligible, but not chosen in this pass',
} as const;

/** How many machines a summary names before it stops with `…`. */
export const SUMMARY_MACHINE_LIMIT = 5;

function capped(items: readonly string[], separator: string): string {
  const shown = items.slice(0, SUMMARY_MACHINE_LIMIT).join(separator);
  return items.length > SUMMARY_MACHINE_LIMIT ? `${shown}${separator}…` : shown;
}

/** One-line summaries for units that cannot be placed (without the `unit: ` prefix). */
export const UNSCHEDULABLE = {
  noMachines: 'no machines are registered',
  machineIdNotLive: (required: string) => `MachineID ${required} is not a live machine`,
  /** `details` are `<short id> <shortfall>` per machine checked. */
  noMetadataMatch: (required: Metadata, details: readonly string[]) =>
    `no machine satisfies MachineMetadata ${formatMetadataRequirement(required)} (${details.length} checked: ${capped(details, '; ')})`,
  peerCycle: (path: readonly string[]) => `MachineOf peers form a cycle (${path.join(' -> ')})`,
  peerNotScheduled: (peer: string) => `MachineOf peer ${peer} is not scheduled`,
  peerIneligible: (peer: string, machineIds: readonly string[]) =>
    `MachineOf peer ${peer} is only on machines that cannot run this unit (${capped(machineIds.map(short), ', ')})`,
  peersApart: (peers: readonly string[]) =>
    `MachineOf peers ${peers.join(', ')} are not together on any eligible machine`,
  /** `hits` are `<unit> on <short id>` per machine. */
  allConflict: (everyMachine: boolean, hits: readonly string[]) =>
    `${everyMachine ? 'every machine' : 'every eligible machine'} hosts a conflicting unit (${capped(hits, ', ')})`,
  allDisplaced: (hits: readonly string[]) =>
    `every eligible machine hosts a unit that replaces it (${capped(hits, ', ')})`,
  /** `details` are `<short id> <machine reason>`. */
  displacing: (details: readonly string[]) =>
    `placing it would move a unit that must stay (${capped(details, '; ')})`,
  notChosen: 'an eligible machine exists but none was chosen in this pass',
} as const;
