// Build step after `tsc -b`: bundles the compiled fleetctl (dist/main.js) and what it imports into
// dist/bundle/. A spawned fleetctl then reads a few files instead of ~400 modules, and etcd3 skips
// parsing etcd's rpc.proto (see etcd3-proto-plugin.js): ~0.25 s less CPU before the first etcd
// request. The bin uses the bundle only while it is newer than the compiled packages it was made
// from (bundle-manifest.json lists their build-info files), else dist/main.js.
import { build } from 'esbuild';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  outdir: staging,
  bundle: true,
  // Each dynamic import stays a chunk of its own: `--help` still loads neither yargs nor etcd3.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Whitespace and syntax only: V8 parses ~25% less, stack traces keep their names.
  minifyWhitespace: true,
  minifySyntax: true,
  // dockerode (status, journal) drags in ssh2's native addons; it loads from node_modules.
  external: ['dockerode'],
  plugins: [etcd3ProtoPlugin(), longDecimalPlugin()],
  // The bundled CommonJS packages (etcd3, grpc-js, protobufjs) call require() for node builtins.
  banner: { js: "import { createRequire as __fleetctlRequire } from 'node:module';\nconst require = __fleetctlRequire(import.meta.url);" },
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
await writeFile(resolve(staging, 'bundle-manifest.json'), `${JSON.stringify({ builtFrom }, null, 2)}\n`);
const old = `${outdir}.old-${process.pid}`;
await rename(outdir, old).catch((error) => {
  if (error.code !== 'ENOENT') throw error;
});
await rename(staging, outdir);
await rm(old, { recursive: true, force: true });
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
process.stdout.write(`fleetctl bundle: ${relative(process.cwd(), outdir)} (${Math.round(bytes / 1024)} KiB, from ${builtFrom.length} packages)\n`);
