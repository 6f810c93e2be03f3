import type { MachineInfo } from '@fleet/core';

/** fleet's short machine ID length (machine.MachineState.ShortID). */
const SHORT_ID_LENGTH = 8;

/**
 * A machine ID as fleetctl shows it: the first 8 characters plus `...`, or the whole ID when
 * `full`. fleet appends the ellipsis even to IDs of 8 characters or fewer. No ID gives `-`.
 */
export function formatMachineIdLegend(machineId: string | undefined, full: boolean): string {
  if (machineId === undefined || machineId === '') return '-';
  return full ? machineId : `${machineId.slice(0, SHORT_ID_LENGTH)}...`;
}

/**
 * The ID legend followed by `/<public IP>` when the machine is currently registered and has an
 * IP. A machine that is gone (stale state, old schedule) keeps the bare legend.
 * `machinesById` holds the live machines (see indexMachines).
 */
export function formatMachineLegend(
  machineId: string | undefined,
  machinesById: ReadonlyMap<string, MachineInfo>,
  full: boolean,
): string {
  const legend = formatMachineIdLegend(machineId, full);
  if (machineId === undefined || machineId === '') return legend;
  const ip = machinesById.get(machineId)?.publicIp ?? '';
  return ip === '' ? legend : `${legend}/${ip}`;
}

/** Live machines keyed by ID, for formatMachineLegend. */
export function indexMachines(machines: readonly MachineInfo[]): ReadonlyMap<string, MachineInfo> {
  return new Map(machines.map((machine) => [machine.id, machine]));
}

/**
 * formatMachineLegend for one listing, each machine's legend made once: 10,000 rows name a
 * handful of machines.
 */
export function machineLegends(machines: readonly MachineInfo[], full: boolean): (machineId: string | undefined) => string {
  const machinesById = indexMachines(machines);
  const made = new Map<string | undefined, string>();
  return (machineId) => {
    let legend = made.get(machineId);
    if (legend === undefined) {
      legend = formatMachineLegend(machineId, machinesById, full);
      made.set(machineId, legend);
    }
    return legend;
  };
}
