import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startEtcd, type EtcdServer } from '@fleet/testkit';
import { SimulatedCluster, machineRecord } from './support/cluster.js';
import { containerUnit, makeUnitDir, type UnitDir } from './support/unit-dir.js';

const CLI = fileURLToPath(new URL('../../packages/cli/', import.meta.url));
/** A bundle of this test's own (the bin's dist/bundle is left alone), from the compiled dist/. */
const BUNDLE = `${CLI}dist/bundle-test-${process.pid}/`;

/** How the compiled modules are loaded: dist/main.js imported, and the bundle as the bin loads it. */
const LOAD_MODULES = `const { main } = await import(${JSON.stringify(`${CLI}dist/main.js`)}); const codeCache = 'none';`;
const LOAD_BUNDLE = `
  const { freshBundle, loadBundle, setV8Flags } = await import(${JSON.stringify(`${CLI}bin/load-bundle.js`)});
  setV8Flags();
  const dir = ${JSON.stringify(pathToFileURL(BUNDLE).href)};
  const manifest = freshBundle(dir);
  if (manifest === undefined) throw new Error('the bundle is not fresh');
  const { exports: { main }, codeCache } = loadBundle(dir, manifest);`;

/**
 * Runs commands one after another in one process through `main` (loaded by `load`) and returns
 * what each printed, and what became of the code cache: the same script through the bundle and
 * through dist/main.js must print the same.
 */
async function runScript(load: string, script: readonly (readonly string[])[], env: Record<string, string>): Promise<{ codeCache: string; results: unknown[] }> {
  const code = `
    ${load}
    const results = [];
    for (const argv of JSON.parse(process.env.SCRIPT)) {
      let stdout = '', stderr = '';
      const code = await main(argv, { stdout: { write: (t) => ((stdout += t), true) }, stderr: { write: (t) => ((stderr += t), true) }, env: process.env });
      results.push({ argv, code, stdout, stderr });
    }
    process.stdout.write(JSON.stringify({ codeCache, results }));`;
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
    const codeCaches = [];
    for (const load of [LOAD_BUNDLE, LOAD_MODULES]) {
      const cluster = await SimulatedCluster.start(etcd.endpoint, { machines: machines.map((m) => ({ ...m })) });
      clusters.push(cluster);
      const { codeCache, results } = await runScript(load, script, cluster.env());
      codeCaches.push(codeCache);
      outputs.push(JSON.parse(JSON.stringify(results).replaceAll(cluster.prefix, '<prefix>')));
    }
    expect(outputs[0]).toEqual(outputs[1]);
    // The build's training run made a cache V8 takes under fleetctl's flags.
    expect(codeCaches).toEqual(['used', 'none']);
    // And the script did reach etcd: the listing has the started units on their machines.
    const listing = (outputs[0] as { argv: string[]; stdout: string }[]).find((r) => r.argv.join(' ') === 'list-units')!;
    expect(listing.stdout.split('\n').filter((line) => line.endsWith('\tactive\trunning')).map((line) => line.split('\t')[0])).toEqual([
      'global.service',
      'global.service',
      'hello.service',
    ]);
  });
});
