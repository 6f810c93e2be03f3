// Build step after `tsc -b`: bundles the compiled fleetctl (dist/main.js) and what it imports into
// one CommonJS file, dist/bundle/main.cjs, and trains V8's code cache for it (bin/load-bundle.js).
// A spawned fleetctl then reads two files instead of ~400 modules, compiles nothing up front, and
// etcd3 skips parsing etcd's rpc.proto (see etcd3-proto-plugin.js): ~0.3 s less CPU before the
// first etcd request. The bin uses the bundle only while it is newer than the compiled packages it
// was made from (bundle-manifest.json lists their build-info files), else dist/main.js.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { etcd3ProtoPlugin } from './etcd3-proto-plugin.js';
import { longDecimalPlugin } from './long-decimal-plugin.js';

const cli = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// `--outdir=DIR` (tests): somewhere else than the bin's dist/bundle; node_modules must be above it.
const outdirFlag = process.argv.slice(2).find((a) => a.startsWith('--outdir='));
const outdir = outdirFlag === undefined ? resolve(cli, 'dist/bundle') : resolve(outdirFlag.slice('--outdir='.length));

// Built beside the old bundle and swapped in: a fleetctl starting meanwhile finds either the old
// bundle or none (and runs dist/main.js), never a half-written one.
const staging = `${outdir}.new-${process.pid}`;
await rm(staging, { recursive: true, force: true });
const result = await build({
  entryPoints: [resolve(cli, 'dist/main.js')],
  outfile: resolve(staging, 'main.cjs'),
  bundle: true,
  // Node 20 keeps no code cache for ES modules. A dynamic import becomes a lazy initializer in
  // the one file: `--help` still evaluates neither yargs nor etcd3, and the cache spares parsing.
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Whitespace and syntax only: V8 parses ~25% less, stack traces keep their names.
  minifyWhitespace: true,
  minifySyntax: true,
  // dockerode (status, journal) drags in ssh2's native addons; it loads from node_modules.
  external: ['dockerode'],
  plugins: [etcd3ProtoPlugin(), longDecimalPlugin()],
  // ES modules among the bundled packages (yargs) ask import.meta.url for createRequire. The
  // banner goes before esbuild's "use strict", so it says it first: the code was ES modules.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "'use strict';\nconst __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  metafile: true,
  logLevel: 'warning',
});

// Every workspace package compiled into the bundle: its build-info file changes whenever tsc -b
// rebuilds it, which makes the bundle stale.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^packages\/([^/]+)\/dist\//.exec(relative(resolve(cli, '../..'), resolve(input)));
  if (match !== null) packages.add(match[1]);
}
const builtFrom = [...packages].sort().map((name) => relative(outdir, resolve(cli, '..', name, 'tsconfig.tsbuildinfo')));
// The code cache is named for the script's contents: V8 checks only a script's length before
// trusting a cache, so a cache must never outlive the script it was made for.
const digest = createHash('sha256').update(await readFile(resolve(staging, 'main.cjs'))).digest('hex').slice(0, 16);
const manifest = { script: 'main.cjs', codeCache: `main-${digest}.cache`, builtFrom };
await writeFile(resolve(staging, 'bundle-manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const old = `${outdir}.old-${process.pid}`;
await rename(outdir, old).catch((error) => {
  if (error.code !== 'ENOENT') throw error;
});
await rename(staging, outdir);
await rm(old, { recursive: true, force: true });
// Trained in place: V8 keeps the file name the cache was made under, for stack traces. (A
// fleetctl run meanwhile may write the cache first: as good.)
await trainCodeCache(outdir, manifest);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
const cacheBytes = (await stat(resolve(outdir, manifest.codeCache))).size;
process.stdout.write(
  `fleetctl bundle: ${relative(process.cwd(), outdir)} (${Math.round(bytes / 1024)} KiB, code cache ${Math.round(cacheBytes / 1024)} KiB, from ${builtFrom.length} packages)\n`,
);

/**
 * Makes the first code cache as a fleetctl run makes a missing one: it runs `list-units` against
 * a port nothing listens on, in a process with fleetctl's V8 flags, which loads and exercises etcd3
 * and gRPC up to the refused connection. The cache then holds those functions compiled, not just
 * the top level (a `--help` run's cache saves a third as much).
 */
async function trainCodeCache(dir, manifest) {
  const loader = pathToFileURL(resolve(cli, 'bin/load-bundle.js')).href;
  const code = `
    const { loadBundle, setV8Flags } = await import(${JSON.stringify(loader)});
    setV8Flags();
    const dir = ${JSON.stringify(pathToFileURL(`${dir}/`).href)};
    const bundle = loadBundle(dir, ${JSON.stringify(manifest)});
    const quiet = { write: () => true };
    await bundle.exports.main(['list-units', '--endpoint=http://127.0.0.1:${await unusedPort()}'], { stdout: quiet, stderr: quiet, env: {} });
    bundle.saveCodeCache();`;
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { env: { PATH: process.env.PATH }, timeout: 60_000 });
  await stat(resolve(dir, manifest.codeCache)); // fails the build if no cache came of it
}

/** A loopback port that was free a moment ago (a refused connection is all the training needs). */
async function unusedPort() {
  const server = createServer();
  await new Promise((resolvePort) => server.listen(0, '127.0.0.1', resolvePort));
  const { port } = server.address();
  await new Promise((closed) => server.close(closed));
  return port;
}
