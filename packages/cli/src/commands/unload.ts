import type { CommandSpec } from '../command.js';
import { BLOCK_FLAGS } from '../command.js';
import { registeredUnits } from './registered-units.js';

export const unloadCommand: CommandSpec = {
  name: 'unload',
  operands: 'UNIT...',
  summary: 'Unschedule one or more units in the cluster',
  description:
    'Sets the desired state to inactive: containers are stopped and removed, and the units are ' +
    'taken off their machines but stay registered. Waits until each unit is inactive.',
  examples: [
    ['fleetctl unload hello.service', 'Unschedule it and wait'],
    ['fleetctl unload --no-block hello@1 hello@2', 'Do not wait'],
  ],
  flags: BLOCK_FLAGS,
  async run(ctx, args) {
    const found = await registeredUnits(ctx, args);
    if (found === undefined) return 0;
    const { units, attempts, actions, wait, api } = found;
    const placement = await wait.readPlacement(api, units.filter((u) => !u.global).map((u) => u.unit.name));
    // Nothing to do for a unit both desired and current inactive. (fleet skipped every current-
    // inactive unit, leaving an unplaceable unit's desired state as it was.)
    const unloading = units.filter(
      (u) => u.global || u.unit.targetState !== 'inactive' || actions.currentStateOf(u.unit.name, placement) !== 'inactive',
    );
    await actions.retarget(api, unloading, 'inactive');
    actions.printTriggered(ctx, unloading.filter((u) => u.global).map((u) => u.unit.name), 'unload', true);
    const local = unloading.filter((u) => !u.global).map((u) => u.unit.name);
    let failures = 0;
    if (attempts < 0) actions.printTriggered(ctx, local, 'unload');
    else {
      const targets = local.map((name) => ({ name, goal: 'inactive' as const, failOnError: false }));
      failures = await wait.waitForUnits(ctx, api, targets, attempts);
    }
    if (failures > 0) return 1;
    if (local.length > 0) ctx.out.error(`Successfully unloaded units ${actions.goList(local)}.`);
    return 0;
  },
};
