import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startEtcd, type EtcdServer } from '@fleet/testkit';
import { SimulatedCluster } from './support/cluster.js';
import { runCli } from './support/run-cli.js';
import { containerUnit, makeUnitDir, type UnitDir } from './support/unit-dir.js';

/** Canonical text of containerUnit(d): what submit stores and cat prints (each option line ends in a newline). */
const canonical = (description: string): string =>
  `[Unit]\nDescription=${description}\n\n[Container]\nImage=fleet-test/busybox:1\nExec=/bin/sh -c "while true; do echo hi; sleep 1; done"\nPull=never\n`;

describe('fleetctl submit, cat, list-unit-files, destroy', () => {
  let etcd: EtcdServer;
  let units: UnitDir;
  let cluster: SimulatedCluster;
  const cli = (...args: string[]) => runCli(args, { env: cluster.env() });

  beforeAll(async () => {
    etcd = await startEtcd();
    units = await makeUnitDir();
  });
  afterAll(async () => {
    await units.remove();
    await etcd.stop();
  });
  beforeEach(async () => {
    // A fresh keyspace per test; nothing reacts, so desired states stay as fleetctl left them.
    await cluster?.stop();
    cluster = await SimulatedCluster.start(etcd.endpoint, { react: false });
  });
  afterAll(() => cluster.stop());

  it('submits units, printing each as inactive, and cat prints the stored text without a trailing newline', async () => {
    const hello = await units.write('hello.service', containerUnit('Hello'));
    const result = await cli('submit', hello);
    expect(result).toEqual({ code: 0, stdout: 'Unit hello.service inactive\n', stderr: '' });

    const cat = await cli('cat', 'hello');
    expect(cat).toEqual({ code: 0, stdout: canonical('Hello'), stderr: '' });
    const stored = await cluster.registry.getUnit('hello.service');
    expect(stored?.unit).toMatchObject({ targetState: 'inactive', contents: canonical('Hello') });
  });

  it('mangles names: a bare name reads NAME.service, a path names its base name', async () => {
    await units.write('bare.service', containerUnit('Bare'));
    const result = await cli('submit', units.path('bare'));
    expect(result).toEqual({ code: 0, stdout: 'Unit bare.service inactive\n', stderr: '' });
    expect((await cli('cat', 'bare.service')).code).toBe(0);
    expect((await cli('cat', `${units.dir}/bare`)).code).toBe(0);
  });

  it('does nothing for a unit already registered with the same contents', async () => {
    const path = await units.write('same.service', containerUnit('Same'));
    await cli('submit', path);
    expect(await cli('submit', path)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('fails with fleet\'s warning, and keeps the registered unit, when the local file differs and --replace is not given', async () => {
    const path = await units.write('drift.service', containerUnit('One'));
    await cli('submit', path);
    await units.write('drift.service', containerUnit('Two'));
    const result = await cli('submit', path);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `WARNING: Unit drift.service in registry differs from local unit file ${path}. Add --replace to override.\n`,
    });
    expect((await cli('cat', 'drift')).stdout).toContain('Description=One');
  });

  describe('--replace', () => {
    it('replaces an inactive unit whose local file differs', async () => {
      const path = await units.write('repl.service', containerUnit('Old'));
      await cli('submit', path);
      await units.write('repl.service', containerUnit('New'));
      expect(await cli('submit', '--replace', path)).toEqual({ code: 0, stdout: 'Unit repl.service inactive\n', stderr: '' });
      expect((await cli('cat', 'repl')).stdout).toContain('Description=New');
    });

    it('says so when the contents are the same', async () => {
      const path = await units.write('samerepl.service', containerUnit('Same'));
      await cli('submit', path);
      expect(await cli('submit', '--replace', path)).toEqual({
        code: 0,
        stdout: 'Found same Unit(samerepl.service) in Registry, nothing to do\n',
        stderr: '',
      });
    });

    it("refuses, with fleet's warning, to replace a unit whose desired state the command may not cross", async () => {
      const path = await units.write('busy.service', containerUnit('Old'));
      await cli('submit', path);
      await cluster.registry.setTargetState('busy.service', 'loaded');
      await units.write('busy.service', containerUnit('New'));
      expect(await cli('submit', '--replace', path)).toEqual({
        code: 0,
        stdout: '',
        stderr: "Warning: can not replace Unit(busy.service) in state 'loaded', use the appropriate command\n",
      });
      expect((await cli('cat', 'busy')).stdout).toContain('Description=Old');
    });

    it('replaces a loaded unit on load --replace, keeping its desired state', async () => {
      const path = await units.write('lr.service', containerUnit('Old'));
      await cli('submit', path);
      await cluster.registry.setTargetState('lr.service', 'loaded');
      await units.write('lr.service', containerUnit('New'));
      expect(await cli('load', '--replace', '--no-block', path)).toEqual({ code: 0, stdout: '', stderr: '' });
      const stored = await cluster.registry.getUnit('lr.service');
      expect(stored?.unit.targetState).toBe('loaded');
      expect(stored?.unit.contents).toContain('Description=New');
    });

    it('fails when there is no local file to replace from', async () => {
      const path = await units.write('gone.service', containerUnit('X'));
      await cli('submit', path);
      const result = await cli('submit', '--replace', units.path('gone-elsewhere.service'));
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `Error creating units: unable to find local unit file ${units.path('gone-elsewhere.service')} to submit or replace Unit(gone-elsewhere.service)\n`,
      );
    });
  });

  describe('templates', () => {
    it('creates instances from a local template file beside the named path', async () => {
      await units.write('web@.service', containerUnit('Web %i'));
      const result = await cli('submit', units.path('web@1'), units.path('web@2.service'));
      expect(result).toEqual({ code: 0, stdout: 'Unit web@1.service inactive\nUnit web@2.service inactive\n', stderr: '' });
      // Each instance stores the template's text (and hash) under its own name.
      expect((await cli('cat', 'web@1')).stdout).toBe(canonical('Web %i'));
      expect((await cluster.registry.listUnits()).map((u) => u.unit.name)).toEqual(['web@1.service', 'web@2.service']);
    });

    it('prefers a registered template to the one on disk', async () => {
      const path = await units.write('api@.service', containerUnit('Registered %i'));
      await cli('submit', path);
      await units.write('api@.service', containerUnit('On disk %i'));
      expect((await cli('submit', units.path('api@7'))).code).toBe(0);
      expect((await cli('cat', 'api@7')).stdout).toContain('Description=Registered %i');
    });

    it('uses a registered template when nothing is on disk', async () => {
      const path = await units.write('job@.service', containerUnit('Job %i'));
      await cli('submit', path);
      expect(await cli('submit', 'job@3')).toEqual({ code: 0, stdout: 'Unit job@3.service inactive\n', stderr: '' });
    });

    it('fails when neither the registry nor the disk has the template', async () => {
      const result = await cli('submit', units.path('nowhere@1'));
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'Error creating units: failed getting Unit(nowhere@1.service) from template: unable to find template Unit(nowhere@.service) in Registry or on filesystem\n',
      });
    });
  });

  describe('rejected units leave etcd untouched', () => {
    const rejected = async (args: string[], stderr: string): Promise<void> => {
      const result = await cli(...args);
      expect(result).toEqual({ code: 1, stdout: '', stderr });
      expect(await cluster.registry.listUnits()).toEqual([]);
    };

    it('a missing unit file', async () => {
      await rejected(['submit', units.path('missing.service')], 'Error creating units: unable to find Unit(missing.service) in Registry or on filesystem\n');
    });

    it('an invalid unit name, before anything is read', async () => {
      await rejected(['submit', 'foo@bar.mount'], 'Error creating units: invalid unit name "foo@bar.mount": invalid unit type for a template or instance: "mount"\n');
      await rejected(['submit', '@x.service'], 'Error creating units: invalid unit name "@x.service": unit name cannot start in "@"\n');
    });

    it('a file that does not parse', async () => {
      const path = await units.write('broken.service', '[Unit\nDescription=x\n');
      await rejected(['submit', path], `Error creating units: unable to parse unit file ${path}: line 1: unable to find end of section\n`);
    });

    it('a file over the size limit', async () => {
      const path = await units.write('huge.service', `${containerUnit('Huge')}# ${'x'.repeat(70_000)}\n`);
      const size = Buffer.byteLength(`${containerUnit('Huge')}# ${'x'.repeat(70_000)}\n`);
      await rejected(
        ['submit', path],
        `Error creating units: unable to parse unit file ${path}: unit file is ${size} bytes, larger than the 65536-byte limit\n`,
      );
    });

    it('unknown [X-Fleet] and [Container] keys (fleet only warned on the first)', async () => {
      const path = await units.write('odd.service', `${containerUnit('Odd', 'Bogus=1\n')}\n[X-Fleet]\nMachineFoo=x\n`);
      await rejected(
        ['submit', path],
        'Error creating units: invalid unit odd.service: unrecognized requirement in [X-Fleet] section: "MachineFoo"; [Container] Bogus: unknown key\n',
      );
    });

    it('incompatible requirements', async () => {
      const path = await units.write('clash.service', `${containerUnit('Clash')}\n[X-Fleet]\nGlobal=true\nMachineID=abc\n`);
      await rejected(['submit', path], 'Error creating units: invalid unit clash.service: MachineID cannot be used with Global\n');
    });

    it('a unit with nothing to run', async () => {
      const path = await units.write('empty.service', '[Unit]\nDescription=Nothing\n');
      await rejected(
        ['submit', path],
        'Error creating units: invalid unit empty.service: unit has nothing to run: add a [Container] section with Image=, or ExecStart=/usr/bin/docker run IMAGE\n',
      );
    });

    it('one bad unit among good ones: every problem is named and none is written', async () => {
      const good = await units.write('good.service', containerUnit('Good'));
      await rejected(
        ['submit', good, units.path('absent1'), units.path('absent2')],
        'Error creating units: unable to find Unit(absent1.service) in Registry or on filesystem\n' +
          'Error creating units: unable to find Unit(absent2.service) in Registry or on filesystem\n',
      );
    });
  });

  it('prints "No units given" and exits 0 without arguments, as fleet did', async () => {
    expect(await cli('submit')).toEqual({ code: 0, stdout: '', stderr: 'No units given\n' });
  });

  it('cat needs exactly one unit, and says when it is not registered', async () => {
    expect(await cli('cat')).toEqual({ code: 1, stdout: '', stderr: 'One unit file must be provided\n' });
    expect(await cli('cat', 'a', 'b')).toEqual({ code: 1, stdout: '', stderr: 'One unit file must be provided\n' });
    expect(await cli('cat', 'nope')).toEqual({ code: 1, stdout: '', stderr: 'Unit nope.service not found\n' });
  });

  it('lists unit files sorted, with default, chosen and full fields', async () => {
    await units.write('lst@.service', containerUnit('List %i'));
    const names = ['lst@10', 'lst@02', 'lst@01'].map((n) => units.path(n));
    await cli('submit', ...names);
    const hash = (await cluster.registry.getUnit('lst@01.service'))!.unit.hash;
    const list = await cli('list-unit-files');
    expect(list).toEqual({
      code: 0,
      stdout:
        'UNIT\t\tHASH\tDSTATE\t\tSTATE\t\tTARGET\n' +
        `lst@01.service\t${hash.slice(0, 7)}\tinactive\tinactive\t-\n` +
        `lst@02.service\t${hash.slice(0, 7)}\tinactive\tinactive\t-\n` +
        `lst@10.service\t${hash.slice(0, 7)}\tinactive\tinactive\t-\n`,
      stderr: '',
    });
    const chosen = await cli('list-unit-files', '--no-legend', '--full', '--fields=unit,hash,desc,global');
    expect(chosen.stdout.split('\n')[0]).toBe(`lst@01.service\t${hash}\tList %i\tfalse`);
  });

  it('reports bad --fields without a registry read', async () => {
    expect(await runCli(['list-unit-files', '--fields', 'unit,nope'], { env: { FLEETCTL_ENDPOINT: 'http://127.0.0.1:1' } })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Invalid key in output format: "nope"\n',
    });
    expect(await cli('list-unit-files', '--fields', '')).toEqual({ code: 1, stdout: '', stderr: 'Must define output format\n' });
    expect(await cli('list-unit-files', '--fields', 'tmachine')).toEqual({
      code: 0,
      stdout: 'TMACHINE\n',
      stderr: 'WARNING: The "tmachine" field is deprecated. Use "target" instead\n',
    });
  });

  it('destroys units, printing each; --no-block does not wait', async () => {
    await units.write('d@.service', containerUnit('D %i'));
    await cli('submit', units.path('d@1'), units.path('d@2'));
    expect(await cli('destroy', 'd@1', 'd@2', 'd@3')).toEqual({
      code: 0,
      stdout: 'Destroyed d@1.service\nDestroyed d@2.service\n',
      stderr: '',
    });
    expect(await cluster.registry.listUnits()).toEqual([]);
    await cli('submit', units.path('d@4'));
    expect(await cli('destroy', '--no-block', 'd@4')).toEqual({ code: 0, stdout: 'Destroyed d@4.service\n', stderr: '' });
  });

  it('says "Units not found in registry" (exit 0) when none of the named units exist', async () => {
    for (const verb of ['destroy', 'stop', 'unload', 'restart']) {
      expect(await cli(verb, 'ghost')).toEqual({ code: 0, stdout: '', stderr: 'Units not found in registry\n' });
    }
  });
});
