import type { CommandSpec } from '../command.js';
import { BLOCK_FLAGS } from '../command.js';
import { registeredUnits } from './registered-units.js';
import { CliError } from '../errors.js';

export const stopCommand: CommandSpec = {
  name: 'stop',
  operands: 'UNIT...',
  summary: 'Instruct systemd to stop one or more units in the cluster',
  description:
    "Sets the desired state of running units to loaded and waits until each unit's container has " +
    'stopped. The units stay placed on their machines. A unit that is not placed cannot be stopped.',
  examples: [
    ['fleetctl stop hello.service', 'Stop it and wait'],
    ['fleetctl stop --no-block hello@1 hello@2', 'Do not wait'],
  ],
  flags: BLOCK_FLAGS,
  async run(ctx, args) {
    const found = await registeredUnits(ctx, args);
    if (found === undefined) return 0;
    const { units, attempts, actions, wait, api } = found;
    const placement = await wait.readPlacement(api, units.filter((u) => !u.global).map((u) => u.unit.name));
    const stopping = units.filter((u) => u.global || actions.currentStateOf(u.unit.name, placement) !== 'loaded');
    for (const u of stopping) {
      if (!u.global && actions.currentStateOf(u.unit.name, placement) === 'inactive') {
        throw new CliError(`Unable to stop unit ${u.unit.name} in state inactive`);
      }
    }
    await actions.retarget(api, stopping, 'loaded');
    actions.printTriggered(ctx, stopping.filter((u) => u.global).map((u) => u.unit.name), 'stop', true);
    const local = stopping.filter((u) => !u.global).map((u) => u.unit.name);
    let failures = 0;
    if (attempts < 0) actions.printTriggered(ctx, local, 'stop');
    else {
      const targets = local.map((name) => ({ name, goal: 'loaded' as const, failOnError: false }));
      failures = await wait.waitForUnits(ctx, api, targets, attempts);
    }
    if (failures > 0) return 1;
    if (local.length > 0) ctx.out.error(`Successfully stopped units ${actions.goList(local)}.`);
    return 0;
  },
};
