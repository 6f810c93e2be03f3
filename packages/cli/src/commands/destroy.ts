import type { FleetApi } from '../api.js';
import type { CommandSpec } from '../command.js';
import { BLOCK_FLAGS } from '../command.js';
import { registeredUnits } from './registered-units.js';
import { mapBounded } from '../concurrency.js';

export const destroyCommand: CommandSpec = {
  name: 'destroy',
  operands: 'UNIT...',
  summary: 'Destroy one or more units in the cluster',
  description:
    'Removes the units from the cluster: their containers are stopped and removed on every machine. ' +
    'Waits until no live machine reports them any more (fleet waited only with --no-block, by mistake).',
  examples: [
    ['fleetctl destroy hello.service', 'Remove it and wait until its container is gone'],
    ['fleetctl destroy --no-block hello@1 hello@2', 'Do not wait'],
  ],
  flags: BLOCK_FLAGS,
  async run(ctx, args) {
    const found = await registeredUnits(ctx, args);
    if (found === undefined) return 0;
    const { units, attempts, actions, wait, api } = found;
    const names = units.map((u) => u.unit.name);
    // A unit deleted meanwhile (false) is as good as destroyed, as fleet ignored its 404.
    await mapBounded(names, (name) => api.destroyUnit(name));
    if (attempts < 0) {
      for (const name of names) ctx.out.line(`Destroyed ${name}`);
      return 0;
    }
    let pending = names;
    const inTime = await wait.pollUntil(ctx, attempts, async () => {
      const remaining = await unitsStillReported(api, pending);
      for (const name of pending) if (!remaining.has(name)) ctx.out.line(`Destroyed ${name}`);
      pending = pending.filter((name) => remaining.has(name));
      return pending.length === 0;
    });
    if (inTime) return 0;
    for (const name of pending) {
      ctx.out.error(`Error waiting for units: timed out waiting for unit ${name} to be removed from its machines`);
    }
    return 1;
  },
};

/** The units some live machine still reports a state for. */
async function unitsStillReported(api: FleetApi, names: readonly string[]): Promise<Set<string>> {
  const wanted = new Set(names);
  const [states, machines] = await Promise.all([
    names.length <= 16 ? mapBounded(names, (name) => api.listStates(name)).then((l) => l.flat()) : api.listStates(),
    api.listMachines(),
  ]);
  const live = new Set(machines.map((m) => m.machine.id));
  return new Set(states.filter((e) => wanted.has(e.state.name) && live.has(e.state.machineId)).map((e) => e.state.name));
}
