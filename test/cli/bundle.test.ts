import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEtcd, type EtcdServer } from '@fleet/testkit';
import { SimulatedCluster, machineRecord } from './support/cluster.js';
import { containerUnit, makeUnitDir, type UnitDir } from './support/unit-dir.js';

const CLI = fileURLToPath(new URL('../../packages/cli/', import.meta.url));
/** A bundle of this test's own (the bin's dist/bundle is left alone), from the compiled dist/. */
const BUNDLE = `${CLI}dist/bundle-test-${process.pid}/`;

/**
 * Runs commands one after another in one process through `main` of `entry` and returns what each
 * printed: the same script through the bundle and through dist/main.js must print the same.
 */
async function runScript(entry: string, script: readonly (readonly string[])[], env: Record<string, string>): Promise<unknown> {
  const code = `
    const { main } = await import(${JSON.stringify(entry)});
    const results = [];
    for (const argv of JSON.parse(process.env.SCRIPT)) {
      let stdout = '', stderr = '';
      const code = await main(argv, { stdout: { write: (t) => ((stdout += t), true) }, stderr: { write: (t) => ((stderr += t), true) }, env: process.env });
      results.push({ argv, code, stdout, stderr });
    }
    process.stdout.write(JSON.stringify(results));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], {
    env: { PATH: process.env['PATH'], ...env, SCRIPT: JSON.stringify(script) },
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  return JSON.parse(stdout);
}

describe('the fleetctl bundle (npm run build)', () => {
  let etcd: EtcdServer;
  let units: UnitDir;
  const clusters: SimulatedCluster[] = [];

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [`${CLI}scripts/bundle.js`, `--outdir=${BUNDLE}`], { timeout: 60_000 });
    etcd = await startEtcd();
    units = await makeUnitDir();
    await units.write('hello.service', containerUnit('Hello'));
    await units.write('web@.service', containerUnit('Web %i'));
    await units.write('global.service', `${containerUnit('Everywhere')}\n[X-Fleet]\nGlobal=true\n`);
  });
  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.stop()));
    await units?.remove();
    await etcd?.stop();
    await rm(BUNDLE, { recursive: true, force: true });
  });

  it('prints exactly what the compiled modules print, help, errors and etcd round trips alike', async () => {
    const machines = [machineRecord(1), machineRecord(2)];
    const script = [
      ['--help'],
      ['help', 'list-units'],
      ['version'],
      ['frobnicate'],
      ['list-units', '--bogus'],
      ['list-units', '--fields=unit,nope'],
      ['submit'],
      ['submit', units.path('hello'), units.path('web@1'), units.path('web@2')],
      ['start', units.path('hello'), units.path('global')],
      ['list-unit-files'],
      ['list-unit-files', '--full', '--no-legend', '--fields=unit,hash,dstate,state,target'],
      ['list-units'],
      ['list-units', '-l', '--fields=unit,machine,active,sub,load,hash'],
      ['list-machines', '--full'],
      ['cat', 'web@1'],
      ['stop', 'hello'],
      ['destroy', 'web@2'],
      ['list-unit-files', '--no-legend'],
      ['cat', 'nosuch.service'],
      ['list-machines', '--endpoint=http://127.0.0.1:1'],
    ];
    // Each run gets a keyspace of its own with the same machines, so both see the same cluster.
    const outputs = [];
    for (const entry of [`${BUNDLE}main.js`, `${CLI}dist/main.js`]) {
      const cluster = await SimulatedCluster.start(etcd.endpoint, { machines: machines.map((m) => ({ ...m })) });
      clusters.push(cluster);
      const run = (await runScript(entry, script, cluster.env())) as { stdout: string }[];
      outputs.push(JSON.parse(JSON.stringify(run).replaceAll(cluster.prefix, '<prefix>')));
    }
    expect(outputs[0]).toEqual(outputs[1]);
    // And the script did reach etcd: the listing has the started units on their machines.
    const listing = (outputs[0] as { argv: string[]; stdout: string }[]).find((r) => r.argv.join(' ') === 'list-units')!;
    expect(listing.stdout.split('\n').filter((line) => line.endsWith('\tactive\trunning')).map((line) => line.split('\t')[0])).toEqual([
      'global.service',
      'global.service',
      'hello.service',
    ]);
  });
});
