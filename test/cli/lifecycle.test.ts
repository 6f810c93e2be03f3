import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { UnschedulableRecord } from '@fleet/core';
import { eventually, startEtcd, type EtcdServer } from '@fleet/testkit';
import { SimulatedCluster, machineRecord, type SimulatedBehaviour } from './support/cluster.js';
import { runCli, type RunOptions } from './support/run-cli.js';
import { containerUnit, makeUnitDir, type UnitDir } from './support/unit-dir.js';

/**
 * The commands that wait, against a cluster that acts on what fleetctl writes. Phase 1 plays the
 * cluster with SimulatedCluster; the expectations are what a real fleetd cluster must produce too.
 */
describe('fleetctl start, load, stop, unload, restart, destroy, status (waiting on the cluster)', () => {
  let etcd: EtcdServer;
  let units: UnitDir;
  let cluster: SimulatedCluster | undefined;

  const startCluster = async (behaviour: SimulatedBehaviour = {}, machines = [machineRecord(1)]) => {
    cluster = await SimulatedCluster.start(etcd.endpoint, { machines, behaviour });
    return cluster;
  };
  const cli = (args: string[], options: RunOptions = {}) => runCli(args, { env: cluster!.env(), ...options });
  /** Until the simulated agents of every machine run the global unit. */
  const globalRunsEverywhere = () =>
    eventually(async () => {
      const states = await cluster!.registry.listStates('global.service');
      return states.length === cluster!.machines.length && states.every((e) => e.state.subState === 'running');
    }, { what: 'global.service to run on every machine' });
  const legend = (i = 0) => `${cluster!.machines[i]!.id.slice(0, 8)}.../${cluster!.machines[i]!.publicIp}`;

  beforeAll(async () => {
    etcd = await startEtcd();
    units = await makeUnitDir();
    for (const name of ['hello', 'eu', 'broken', 'frozen', 'other', 'multi1', 'multi2']) {
      await units.write(`${name}.service`, containerUnit(`The ${name} unit`));
    }
    await units.write('global.service', `${containerUnit('Everywhere')}\n[X-Fleet]\nGlobal=true\n`);
    await units.write('tpl@.service', containerUnit('Template %i'));
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  afterAll(async () => {
    await units.remove();
    await etcd.stop();
  });

  it('start waits until the container runs, then names the machine', async () => {
    await startCluster();
    expect(await cli(['start', units.path('hello')])).toEqual({
      code: 0,
      stdout: `Unit hello.service inactive\nUnit hello.service launched on ${legend()}\n`,
      stderr: '',
    });
    // Started again: nothing to change, but fleetctl still confirms it runs (fleet printed nothing).
    expect(await cli(['start', 'hello'])).toEqual({ code: 0, stdout: `Unit hello.service launched on ${legend()}\n`, stderr: '' });
    const list = await cli(['list-units', '--no-legend']);
    expect(list).toEqual({ code: 0, stdout: `hello.service\t${legend()}\tactive\trunning\n`, stderr: '' });
  });

  it('start --replace swaps a running unit for the changed local file and waits for the new version to run', async () => {
    const c = await startCluster();
    const path = await units.write('swap.service', containerUnit('Version 1'));
    await cli(['start', path]);
    await units.write('swap.service', containerUnit('Version 2'));
    expect(await cli(['start', '--replace', path])).toEqual({ code: 0, stdout: `Unit swap.service launched on ${legend()}\n`, stderr: '' });
    const entry = await c.registry.getUnit('swap.service');
    expect(entry?.unit).toMatchObject({ targetState: 'launched' });
    expect(entry?.unit.contents).toContain('Description=Version 2');
    const [state] = await c.registry.listStates('swap.service');
    expect(state?.state.hash).toBe(entry?.unit.hash);
  });

  it('start --no-block prints what it triggered, once', async () => {
    await startCluster({ frozen: () => true });
    expect(await cli(['start', '--no-block', units.path('hello'), units.path('other')])).toEqual({
      code: 0,
      stdout:
        'Unit hello.service inactive\nUnit other.service inactive\n' +
        'Triggered unit hello.service start\nTriggered unit other.service start\n',
      stderr: '',
    });
    expect((await cluster!.registry.getUnit('other.service'))?.unit.targetState).toBe('launched');
  });

  it('load places the unit without starting it; stop and unload wait for their states', async () => {
    await startCluster();
    expect(await cli(['load', units.path('hello')])).toEqual({
      code: 0,
      stdout: `Unit hello.service inactive\nUnit hello.service loaded on ${legend()}\n`,
      stderr: '',
    });
    // stop of a loaded unit has nothing to do
    expect(await cli(['stop', 'hello'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await cli(['start', 'hello'])).stdout).toBe(`Unit hello.service launched on ${legend()}\n`);
    expect(await cli(['stop', 'hello'])).toEqual({
      code: 0,
      stdout: `Unit hello.service loaded on ${legend()}\n`,
      stderr: 'Successfully stopped units [hello.service].\n',
    });
    expect(await cli(['unload', 'hello'])).toEqual({
      code: 0,
      stdout: 'Unit hello.service inactive\n',
      stderr: 'Successfully unloaded units [hello.service].\n',
    });
    expect(await cluster!.registry.listStates('hello.service')).toEqual([]);
    // nothing left to unload
    expect(await cli(['unload', 'hello'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('stop refuses a unit that is not placed', async () => {
    await startCluster();
    await cli(['submit', units.path('hello')]);
    expect(await cli(['stop', 'hello'])).toEqual({ code: 1, stdout: '', stderr: 'Unable to stop unit hello.service in state inactive\n' });
  });

  it('stop, unload and destroy --no-block trigger without waiting', async () => {
    await startCluster();
    await cli(['start', units.path('multi1'), units.path('multi2')]);
    expect(await cli(['stop', '--no-block', 'multi1', 'multi2'])).toEqual({
      code: 0,
      stdout: 'Triggered unit multi1.service stop\nTriggered unit multi2.service stop\n',
      stderr: 'Successfully stopped units [multi1.service multi2.service].\n',
    });
    expect(await cli(['unload', '--no-block', 'multi1'])).toEqual({
      code: 0,
      stdout: 'Triggered unit multi1.service unload\n',
      stderr: 'Successfully unloaded units [multi1.service].\n',
    });
    expect((await cluster!.registry.getUnit('multi1.service'))?.unit.targetState).toBe('inactive');
  });

  it('restart stops and starts a running unit, and only starts a loaded one', async () => {
    await startCluster();
    await cli(['start', units.path('hello')]);
    expect(await cli(['restart', 'hello'])).toEqual({
      code: 0,
      stdout: `Unit hello.service loaded on ${legend()}\nUnit hello.service launched on ${legend()}\n`,
      stderr: '',
    });
    await cli(['stop', 'hello']);
    expect(await cli(['restart', 'hello'])).toEqual({ code: 0, stdout: `Unit hello.service launched on ${legend()}\n`, stderr: '' });
    await cli(['submit', units.path('other')]);
    expect(await cli(['restart', 'other'])).toEqual({ code: 1, stdout: '', stderr: 'Unable to restart unit other.service in state inactive\n' });
  });

  it("start shows the engine's reason while a unit cannot be placed, once per change, and times out with --block-attempts", async () => {
    let reason: UnschedulableRecord | undefined;
    const cluster = await startCluster({ unschedulable: (name) => (name === 'eu.service' ? reason : undefined) });
    const [m1] = cluster.machines;
    reason = {
      name: 'eu.service',
      summary: 'eu.service: no machine satisfies MachineMetadata region=eu (1 checked: 11111111 region=us)',
      machines: [{ machineId: m1!.id, reason: 'MachineMetadata region=eu not satisfied (region=us)' }],
    };
    const changed: UnschedulableRecord = {
      ...reason,
      summary: 'eu.service: no machine satisfies MachineMetadata region=eu (1 checked: 11111111 no region)',
      machines: [{ machineId: m1!.id, reason: 'MachineMetadata region=eu not satisfied (no region)' }],
    };
    const first = `${reason.summary}\n  ${legend()}: MachineMetadata region=eu not satisfied (region=us)\n`;
    const second = `${changed.summary}\n  ${legend()}: MachineMetadata region=eu not satisfied (no region)\n`;
    // The reason changes once fleetctl has shown the first one.
    const result = await cli(['start', '--block-attempts=2', units.path('eu')], {
      onStderr: (text) => {
        if (text.includes(first)) reason = changed;
      },
    });
    expect(result).toEqual({
      code: 1,
      stdout: 'Unit eu.service inactive\n',
      stderr: `${first}${second}Error waiting for units: timed out waiting for unit eu.service to report state launched\n`,
    });
  });

  it('start reports a failure on the machine and exits 1 instead of waiting', async () => {
    await startCluster({
      failure: (name) => (name === 'broken.service' ? 'image fleet-test/missing:1 not found: No such image' : undefined),
    });
    expect(await cli(['start', units.path('broken'), units.path('hello')])).toEqual({
      code: 1,
      stdout: `Unit broken.service inactive\nUnit hello.service inactive\nUnit hello.service launched on ${legend()}\n`,
      stderr: `Unit broken.service failed on ${legend()}: image fleet-test/missing:1 not found: No such image\n`,
    });
  });

  it('gives up after --block-attempts when nothing happens', async () => {
    await startCluster({ frozen: (name) => name === 'frozen.service' });
    expect(await cli(['load', '--block-attempts=1', units.path('frozen')])).toEqual({
      code: 1,
      stdout: 'Unit frozen.service inactive\n',
      stderr: 'Error waiting for units: timed out waiting for unit frozen.service to report state loaded\n',
    });
  });

  it('rejects bad --block-attempts before doing anything', async () => {
    await startCluster();
    expect(await cli(['start', '--block-attempts=soon', units.path('hello')])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: invalid --block-attempts "soon": expected a whole number (0: wait forever)\n',
    });
    expect(await cluster!.registry.listUnits()).toEqual([]);
  });

  it('refuses to load or start a template, writing nothing', async () => {
    await startCluster();
    expect(await cli(['start', units.path('tpl@.service')])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error starting units: cannot activate template "tpl@.service"\n',
    });
    expect(await cli(['load', units.path('tpl@')])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error loading units: cannot activate template "tpl@.service"\n',
    });
    expect(await cluster!.registry.listUnits()).toEqual([]);
  });

  it('starts instances of a template', async () => {
    await startCluster();
    expect(await cli(['start', units.path('tpl@1'), units.path('tpl@2')])).toEqual({
      code: 0,
      stdout:
        'Unit tpl@1.service inactive\nUnit tpl@2.service inactive\n' +
        `Unit tpl@1.service launched on ${legend()}\nUnit tpl@2.service launched on ${legend()}\n`,
      stderr: '',
    });
  });

  it('global units: triggered, never waited on by start; restarted on every machine', async () => {
    await startCluster({}, [machineRecord(1), machineRecord(2)]);
    expect(await cli(['start', units.path('global')])).toEqual({
      code: 0,
      stdout: 'Unit global.service inactive\nTriggered global unit global.service start\n',
      stderr: '',
    });
    await globalRunsEverywhere();
    const restarted = await cli(['restart', 'global']);
    expect(restarted).toEqual({
      code: 0,
      stdout: [legend(0), legend(1)]
        .sort()
        .map((l) => `Unit global.service launched on ${l}\n`)
        .join(''),
      stderr: '',
    });
    expect(await cli(['stop', 'global'])).toEqual({ code: 0, stdout: 'Triggered global unit global.service stop\n', stderr: '' });
    expect(await cli(['unload', 'global'])).toEqual({ code: 0, stdout: 'Triggered global unit global.service unload\n', stderr: '' });
  });

  it('destroy waits until no machine reports the unit any more', async () => {
    await startCluster();
    await cli(['start', units.path('hello')]);
    expect(await cli(['destroy', 'hello'])).toEqual({ code: 0, stdout: 'Destroyed hello.service\n', stderr: '' });
    expect(await cluster!.registry.listStates('hello.service')).toEqual([]);
    expect(await cluster!.registry.getUnit('hello.service')).toBeUndefined();
  });

  describe('status', () => {
    const now = () => Date.parse('2026-11-25T10:05:00.000Z');

    it('shows the unit like systemctl status, with its container facts', async () => {
      const c = await startCluster();
      await cli(['start', units.path('hello')]);
      const m = c.machines[0]!;
      const state = (await c.registry.listStates('hello.service'))[0]!.state;
      const result = await cli(['status', 'hello'], { now });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        '● hello.service - The hello unit\n' +
          `   Loaded: loaded (unit hash ${state.hash.slice(0, 7)}; desired state launched)\n` +
          '   Active: active (running) since Wed 2026-11-25 10:00:00 UTC; 5min 0s ago\n' +
          `  Machine: ${m.id} (10.0.0.1)\n` +
          `Container: ${state.containerId!.slice(0, 12)}\n` +
          '    Image: fleet-test/busybox:1\n' +
          ' Restarts: 0\n',
      );
      // The simulated machine publishes no Docker endpoint: the logs are missing, and it says why.
      expect(result.stderr).toBe(
        `Warning: cannot read the output of hello.service on ${m.id.slice(0, 8)}: machine ${m.id} publishes no Docker endpoint, so its containers cannot be read\n`,
      );
    });

    it('shows a failure', async () => {
      await startCluster({ failure: () => 'image fleet-test/missing:1 not found: No such image' });
      await cli(['start', '--block-attempts=1', units.path('broken')]);
      const result = await cli(['status', 'broken'], { now });
      expect(result.stdout).toContain('   Active: failed (failed)\n');
      expect(result.stdout).toContain('    Error: image fleet-test/missing:1 not found: No such image\n');
    });

    it('shows a global unit per machine, separated by a blank line', async () => {
      const c = await startCluster({}, [machineRecord(1), machineRecord(2)]);
      await cli(['start', units.path('global')]);
      await globalRunsEverywhere();
      const result = await cli(['status', 'global'], { now });
      expect(result.code).toBe(0);
      const blocks = result.stdout.split('\n\n');
      expect(blocks).toHaveLength(2);
      const ids = c.machines.map((m) => m.id).sort();
      expect(blocks[0]).toContain(`  Machine: ${ids[0]}`);
      expect(blocks[1]).toContain(`  Machine: ${ids[1]}`);
    });

    it('says when a unit does not exist or is not loaded', async () => {
      await startCluster({ frozen: () => true });
      await cli(['submit', units.path('hello')]);
      expect(await cli(['status', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'Unit nope.service does not exist.\n' });
      expect(await cli(['status', 'hello'])).toEqual({ code: 1, stdout: '', stderr: 'Unit hello.service does not appear to be loaded.\n' });
    });
  });

  describe('journal (refusals; output is tested against a real Docker daemon)', () => {
    it('needs one registered, running unit', async () => {
      await startCluster({ frozen: () => true });
      await cli(['submit', units.path('hello')]);
      expect(await cli(['journal'])).toEqual({ code: 1, stdout: '', stderr: 'One unit file must be provided.\n' });
      expect(await cli(['journal', 'a', 'b'])).toEqual({ code: 1, stdout: '', stderr: 'One unit file must be provided.\n' });
      expect(await cli(['journal', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'Unit nope.service does not exist.\n' });
      expect(await cli(['journal', 'hello'])).toEqual({ code: 1, stdout: '', stderr: 'Unit hello.service does not appear to be running.\n' });
      expect(await cli(['journal', '--lines=x', 'hello'])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'Error: invalid --lines "x": expected a whole number\n',
      });
    });
  });
});
