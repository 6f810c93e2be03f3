import type { CommandSpec } from '../command.js';
import { attemptsOf, operandsOf } from '../command.js';
import { CliError } from '../errors.js';

export const restartCommand: CommandSpec = {
  name: 'restart',
  operands: 'UNIT...',
  summary: 'Instruct systemd to restart one or more units in the cluster',
  description:
    "Restarts each unit's container, fleet's way: running units are set to loaded and waited on " +
    'until stopped, then set to launched and waited on until running again. A loaded unit is just ' +
    'started. A global unit is restarted on every machine that runs it.',
  examples: [
    ['fleetctl restart hello.service', 'Stop and start its container'],
    ['fleetctl restart --block-attempts=10 hello@1 hello@2', 'Give up after about 20 s per step'],
  ],
  flags: [
    {
      name: 'block-attempts',
      type: 'string',
      default: '0',
      describe: 'Wait for each step, performing up to N attempts of about 2 s each (0: wait forever)',
    },
  ],
  async run(ctx, args) {
    const words = operandsOf(args);
    if (words.length === 0) {
      ctx.out.error('No units given');
      return 0;
    }
    const attempts = attemptsOf(args);
    const [actions, wait, globalWait, api] = await Promise.all([
      import('../unit-actions.js'),
      import('../wait.js'),
      import('../global-wait.js'),
      ctx.api(),
    ]);
    const units = await actions.findUnits(api, words);
    if (units.length === 0) {
      ctx.out.error('Units not found in registry');
      return 0;
    }
    const local = units.filter((u) => !u.global);
    const globals = units.filter((u) => u.global);
    const placement = await wait.readPlacement(api, local.map((u) => u.unit.name));
    for (const u of local) {
      const state = actions.currentStateOf(u.unit.name, placement);
      if (state === 'inactive') throw new CliError(`Unable to restart unit ${u.unit.name} in state ${state}`);
    }

    // Step 1: stop what runs.
    const running = local.filter((u) => actions.currentStateOf(u.unit.name, placement) === 'launched');
    const runningGlobals = globals.filter((u) => u.unit.targetState === 'launched');
    const globalMachines = await globalWait.countRunning(api, globals.map((u) => u.unit.name));
    await actions.retarget(api, [...running, ...runningGlobals], 'loaded');
    const stopTargets = running.map((u) => ({ name: u.unit.name, goal: 'loaded' as const, failOnError: false }));
    if ((await wait.waitForUnits(ctx, api, stopTargets, attempts)) > 0) return 1;
    const globalNames = runningGlobals.map((u) => u.unit.name);
    if (!(await globalWait.waitForGlobalUnits(ctx, api, globalNames, 'stopped', attempts))) return 1;

    // Step 2: start them all again.
    const latest = await api.getUnits(units.map((u) => u.unit.name));
    const stillThere = units.flatMap((u) => {
      const entry = latest.get(u.unit.name);
      return entry === undefined ? [] : [entry];
    });
    const fresh = await actions.retarget(api, stillThere, 'launched');
    const startTargets = fresh
      .filter((r) => !r.entry.global)
      .map((r) => ({ name: r.entry.unit.name, goal: 'launched' as const, hash: r.entry.unit.hash, failOnError: true }));
    if ((await wait.waitForUnits(ctx, api, startTargets, attempts)) > 0) return 1;
    const startedGlobals = fresh.filter((r) => r.entry.global).map((r) => r.entry.unit.name);
    const ok = await globalWait.waitForGlobalUnits(ctx, api, startedGlobals, 'running', attempts, globalMachines);
    return ok ? 0 : 1;
  },
};
