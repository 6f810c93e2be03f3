import { shortHash } from '@fleet/core';
import type { MachineInfo, TargetState, UnitStateRecord } from '@fleet/core';
import { formatAgo, formatSystemdTime } from './time-format.js';

/** Docker's short container id length. */
export const SHORT_CONTAINER_ID_LENGTH = 12;

export interface UnitStatusInput {
  readonly name: string;
  /** `[Unit] Description=` with specifiers expanded; absent when the unit has none. */
  readonly description?: string | undefined;
  readonly targetState: TargetState;
  /** What the unit's machine published for it. */
  readonly state: UnitStateRecord;
  /** The machine, when it is live. */
  readonly machine?: MachineInfo | undefined;
  /** The container's last lines, already formatted; absent when there is no container. */
  readonly logLines?: readonly string[] | undefined;
  readonly now: number;
}

/** Labels right-aligned to the widest, as systemctl aligns its own. */
const LABEL_WIDTH = 'Container'.length;

/**
 * One unit on one machine, laid out like `systemctl status`: the `●` title, Loaded and Active,
 * then the container's facts, then a blank line and its last log lines.
 */
export function formatUnitStatus(input: UnitStatusInput): string {
  const { state } = input;
  const lines = [`● ${input.name}${input.description === undefined ? '' : ` - ${input.description}`}`];
  const row = (label: string, value: string): void => {
    lines.push(`${label.padStart(LABEL_WIDTH)}: ${value}`);
  };
  row('Loaded', `${state.loadState} (unit hash ${shortHash(state.hash)}; desired state ${input.targetState})`);
  row('Active', activeLine(state, input.now));
  row('Machine', machineLine(state.machineId, input.machine));
  if (state.containerId !== undefined) row('Container', state.containerId.slice(0, SHORT_CONTAINER_ID_LENGTH));
  if (state.image !== undefined) row('Image', state.image);
  if (state.exitCode !== undefined) row('Exit code', String(state.exitCode));
  if (state.restartCount !== undefined) row('Restarts', String(state.restartCount));
  if (state.health !== undefined) row('Health', state.health);
  if (state.error !== undefined) row('Error', state.error);
  const logs = input.logLines ?? [];
  return `${lines.join('\n')}\n${logs.length === 0 ? '' : `\n${logs.join('\n')}\n`}`;
}

function activeLine(state: UnitStateRecord, now: number): string {
  const base = `${state.activeState} (${state.subState})`;
  const started = state.startedAt === undefined ? Number.NaN : Date.parse(state.startedAt);
  if (state.activeState !== 'active' || Number.isNaN(started)) return base;
  return `${base} since ${formatSystemdTime(started)}; ${formatAgo(started, now)}`;
}

function machineLine(machineId: string, machine: MachineInfo | undefined): string {
  if (machine === undefined) return `${machineId} (not registered)`;
  return machine.publicIp === '' ? machineId : `${machineId} (${machine.publicIp})`;
}
