#!/usr/bin/env node
// fleetctl: runs the compiled CLI with this process's streams and environment.
import { freshBundle, loadBundle, setV8Flags } from './load-bundle.js';

setV8Flags();

// The bundle `npm run build` makes starts ~0.3 s faster than dist/main.js (see load-bundle.js).
const bundleDir = new URL('../dist/bundle/', import.meta.url);
const manifest = freshBundle(bundleDir);
const bundle = manifest === undefined ? undefined : loadBundle(bundleDir, manifest);
const { main } = bundle === undefined ? await import('../dist/main.js') : bundle.exports;

const interrupt = new AbortController();
const onSignal = () => interrupt.abort();
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
});
bundle?.saveCodeCache();
// Past this point a second Ctrl-C should kill at once.
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
// The command is over when main returns, as in Go's fleetctl: exit once the output is flushed
// instead of waiting for a library's leftover timer (etcd3 arms a watch-stream reconnect even
// after the watch was closed on purpose: up to ~0.3 s of a `start` otherwise).
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((flushed) => stream.write('', flushed))));
process.exit();
