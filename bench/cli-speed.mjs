#!/usr/bin/env node
// fleetctl speed, measured as a user sees it: wall time of the real bin (node + imports + etcd
// round trips), against a private etcd this script starts on loopback and removes afterwards.
// Run after `npx tsc -b`:   node bench/cli-speed.mjs [--runs=5] [--etcd=/usr/bin/etcd]
// Targets (fleet's Go fleetctl on the same kind of task): list 10,000 units <= 0.81 s;
// submit 1,000 units in one call <= 1.6 s (half of fleet's 3.2 s); --help <= 0.15 s.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEtcdClient, EtcdRegistry } from '../packages/registry/dist/index.js';
import { noopLogger } from '../packages/core/dist/index.js';
import { createHash } from 'node:crypto';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const RUNS = Number(args.runs ?? 5);
const ETCD = args.etcd ?? process.env.FLEET_TEST_ETCD ?? '/usr/bin/etcd';
const BIN = fileURLToPath(new URL('../packages/cli/bin/fleetctl.js', import.meta.url));

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startEtcd(dir) {
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const proc = spawn(ETCD, [
    '--name', 'bench', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `bench=http://127.0.0.1:${peer}`, '--log-level', 'error',
  ], { stdio: 'ignore', env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch } });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await (await fetch(`${endpoint}/health`)).json()).health === 'true') return { endpoint, proc };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error('etcd did not become healthy');
}

/** Wall time of one fleetctl run, in ms; fails loudly on a non-zero exit. */
function timeRun(argv, env, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [BIN, ...argv], { env: { ...process.env, ...env }, cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`fleetctl ${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
}

const unitText = (i) => `[Unit]\nDescription=Bench unit ${i}\n\n[Container]\nImage=fleet-test/busybox:1\nExec=/bin/sleep 3600\n`;

async function seedUnits(registry, from, to) {
  const lease = { id: '0' };
  const names = [];
  for (let i = from; i < to; i++) names.push(i);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = names[next++];
      const name = `seed-${String(i).padStart(5, '0')}.service`;
      const contents = unitText(i);
      const hash = createHash('sha1').update(contents).digest('hex');
      await registry.createUnit({ name, hash, contents, targetState: 'inactive' }, { global: false });
      await registry.publishState(
        { name, machineId: 'bench0000000000000000000000000000', hash, loadState: 'loaded', activeState: 'active', subState: 'running' },
        lease,
      );
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

const dir = await mkdtemp(join(tmpdir(), 'fleet-cli-bench-'));
const { endpoint, proc } = await startEtcd(dir);
const client = createEtcdClient({ endpoints: [endpoint], callTimeoutMs: 10_000 });
const report = [];
const measure = (label, target, argv, env = {}, cwd = dir, runs = RUNS) => {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(timeRun(argv, env, cwd).ms);
  const { min, median } = stats(samples);
  report.push({ label, min, median, target });
  console.log(`${label.padEnd(44)} min ${min.toFixed(0).padStart(5)} ms  median ${median.toFixed(0).padStart(5)} ms  target ${target} ms`);
};
try {
  const env = { FLEETCTL_ENDPOINT: endpoint };
  measure('fleetctl --help', 150, ['--help'], env, dir, Math.max(RUNS, 10));
  measure('fleetctl version', 150, ['version'], env, dir, Math.max(RUNS, 10));

  // submit 1,000 distinct unit files in one call, each run into a fresh keyspace
  const files = [];
  for (let i = 0; i < 1000; i++) {
    const file = `bench-${String(i).padStart(4, '0')}.service`;
    await writeFile(join(dir, file), unitText(i));
    files.push(file);
  }
  const submitSamples = [];
  for (let run = 0; run < RUNS; run++) {
    submitSamples.push(timeRun(['submit', ...files], { ...env, FLEETCTL_ETCD_KEY_PREFIX: `/bench-submit-${run}/` }, dir).ms);
  }
  const submit = stats(submitSamples);
  report.push({ label: 'submit 1,000 units (one call)', ...submit, target: 1600 });
  console.log(`${'submit 1,000 units (one call)'.padEnd(44)} min ${submit.min.toFixed(0).padStart(5)} ms  median ${submit.median.toFixed(0).padStart(5)} ms  target 1600 ms`);

  // listings at 1,000 and 10,000 units (units + their states)
  for (const [count, target] of [[1000, 100], [10000, 810]]) {
    const prefix = `/bench-list-${count}/`;
    const registry = new EtcdRegistry({ client, logger: noopLogger, prefix });
    await seedUnits(registry, 0, count);
    const penv = { ...env, FLEETCTL_ETCD_KEY_PREFIX: prefix };
    const check = timeRun(['list-unit-files', '--no-legend'], penv, dir).stdout.split('\n').filter(Boolean).length;
    if (check !== count) throw new Error(`list-unit-files printed ${check} rows, expected ${count}`);
    measure(`list-unit-files, ${count} units`, target, ['list-unit-files'], penv);
    measure(`list-units, ${count} units`, target, ['list-units'], penv);
  }
} finally {
  client.close();
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  await rm(dir, { recursive: true, force: true });
}
