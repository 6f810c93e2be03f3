import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_KEY_PREFIX,
  noopLogger,
  parseUnitFile,
  serializeUnitFile,
  unitHash,
  unitRequirements,
} from '@fleet/core';
import { createEtcdClient, EtcdRegistry } from '@fleet/registry';
import { FLEETD_BIN, startCluster, teardownCluster, type Cluster, type MachineOptions } from './cluster.js';
import { BUSYBOX_BIN, DOCKERD_BIN } from './docker.js';
import { ETCD_BIN } from './etcd.js';
import { eventually } from './eventually.js';
import { isAlive } from './host-processes.js';
import {
  currentProcessRecord,
  liveProcesses,
  readState,
  recordedProcesses,
  removeState,
  StateWriter,
  type LocalClusterState,
} from './local-cluster-state.js';

/**
 * `fleet-local-cluster up|down|status`: a three-machine fleet on this host (one etcd, three private
 * dockerd, three fleetd) that outlives the command, for a person to drive with fleetctl. `up`
 * records every process in `<dir>/state.json`; `down` tears down exactly those, by pid and start
 * time, with everything the daemons made (containers, shims, mounts, bridges, cgroups, dirs).
 */

// This file sits in packages/testkit/src or packages/testkit/dist.
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FLEETCTL_BIN = join(REPO, 'packages/cli/bin/fleetctl.js');
export const DEMO_UNIT = 'units/hello.service';
/** Where the cluster keeps its state, logs and fleetd state dirs unless told otherwise. */
export const DEFAULT_LOCAL_CLUSTER_DIR = join(REPO, '.cluster');

/** Two regions so that `MachineMetadata=region=…` examples pick a subset. */
export const LOCAL_MACHINES: readonly MachineOptions[] = [
  { name: 'local1', metadata: { hostname: 'local1', region: 'us-east' } },
  { name: 'local2', metadata: { hostname: 'local2', region: 'us-east' } },
  { name: 'local3', metadata: { hostname: 'local3', region: 'us-west' } },
];

export interface TextSink {
  write(text: string): unknown;
}

export interface LocalClusterIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: NodeJS.ProcessEnv;
}

export interface LocalClusterOptions {
  /** State file, logs and fleetd state dirs (FLEET_LOCAL_CLUSTER_DIR, --dir). */
  readonly dir: string;
  /** etcd client port on 127.0.0.1 (FLEET_LOCAL_CLUSTER_ETCD_PORT, --etcd-port); default a free one. */
  readonly etcdPort?: number;
}

const USAGE = `Usage: fleet-local-cluster <up|down|status> [--dir DIR] [--etcd-port PORT]

  up       start etcd, 3 dockerd and 3 fleetd on this host, start ${DEMO_UNIT},
           show fleetctl list-machines and list-units; the cluster keeps running
  down     stop and remove everything up started (safe to repeat)
  status   show what is running

  --dir DIR        state, logs and fleetd state dirs (env FLEET_LOCAL_CLUSTER_DIR; default .cluster/)
  --etcd-port N    etcd's client port on 127.0.0.1 (env FLEET_LOCAL_CLUSTER_ETCD_PORT; default a free port)
`;

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

function formatMetadata(metadata: Readonly<Record<string, string>>): string {
  return Object.entries(metadata)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** How to name the dir in a command a person can paste (relative when inside the repo). */
function dirFlag(dir: string): string {
  return resolve(dir) === DEFAULT_LOCAL_CLUSTER_DIR ? '' : `FLEET_LOCAL_CLUSTER_DIR=${resolve(dir)} `;
}

function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}

/** What is missing on this host for `up`, one line each. */
function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('must run as root: it starts dockerd and creates bridges and cgroups');
  for (const [what, path] of [
    ['etcd', ETCD_BIN],
    ['dockerd', DOCKERD_BIN],
    ['a static busybox', BUSYBOX_BIN],
  ] as const) {
    if (!existsSync(path)) missing.push(`${what} not found at ${path} (run: bash scripts/install-deps.sh)`);
  }
  if (!existsSync(join(dirname(FLEETD_BIN), '../dist/main.js'))) {
    missing.push('fleetd is not built (run: npm run build)');
  }
  return missing;
}

interface Run {
  readonly code: number;
  readonly output: string;
}

/** Runs the real fleetctl binary against the cluster, stdout and stderr interleaved. */
function runFleetctl(flags: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolveRun) => {
    const child = execFile(
      process.execPath,
      [FLEETCTL_BIN, ...flags, ...args],
      { cwd: REPO, env, timeout: 120_000 },
      (error) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolveRun({ code, output });
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}

/** Stand-in for `fleetctl start` while the CLI is not built: the same records, written directly. */
async function startThroughRegistry(cluster: Cluster, file: string): Promise<void> {
  const name = basename(file);
  const parsed = parseUnitFile(await readFile(join(REPO, file), 'utf8'));
  const global = unitRequirements(parsed, name).requirements.global;
  await cluster.registry.createUnit(
    { name, hash: unitHash(parsed), contents: serializeUnitFile(parsed), targetState: 'launched' },
    { global },
  );
}

async function waitForUnitActive(cluster: Cluster, name: string): Promise<string> {
  return eventually(
    async () => {
      const states = await cluster.registry.listStates(name);
      return states.find((s) => s.state.activeState === 'active')?.state.machineId ?? false;
    },
    { timeoutMs: 60_000, what: `${name} to become active (logs in ${cluster.logDir})` },
  );
}

/** A state dir whose recorded processes are all gone: clean up what it names. */
async function clearStale(state: LocalClusterState, dir: string, io: LocalClusterIo): Promise<void> {
  io.stdout.write(`Cleaning up what an earlier cluster left in ${shortPath(dir)} ...\n`);
  await teardownCluster(state.cluster);
  await removeState(dir);
}

export async function localClusterUp(options: LocalClusterOptions, io: LocalClusterIo): Promise<number> {
  const dir = resolve(options.dir);
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    for (const line of missing) io.stderr.write(`fleet-local-cluster: ${line}\n`);
    return 1;
  }
  await mkdir(dir, { recursive: true });
  const existing = await readState(dir);
  if (existing !== undefined) {
    const live = await liveProcesses([existing.upProcess, ...recordedProcesses(existing)]);
    if (live.length > 0) {
      const endpoint = existing.cluster.etcd?.endpoint ?? '(etcd not started yet)';
      io.stderr.write(
        `A local cluster is already up (etcd ${endpoint}, state in ${shortPath(dir)}).\n` +
          `Use it with fleetctl, or tear it down first: ${dirFlag(dir)}npm run cluster:down\n`,
      );
      return 1;
    }
    await clearStale(existing, dir, io);
  }
  const logDir = join(dir, 'logs');
  await rm(logDir, { recursive: true, force: true });

  const prefix = DEFAULT_KEY_PREFIX;
  const writer = await StateWriter.create(dir, {
    version: 1,
    phase: 'starting',
    startedAt: new Date().toISOString(),
    upProcess: currentProcessRecord('fleet-local-cluster up'),
    cluster: { dir, prefix, dockerds: [], machines: [] },
  });
  io.stdout.write(`Starting a local fleet cluster: 1 etcd, ${LOCAL_MACHINES.length} dockerd, ${LOCAL_MACHINES.length} fleetd (state in ${shortPath(dir)})\n`);

  let cluster: Cluster;
  try {
    cluster = await startCluster({
      machines: LOCAL_MACHINES,
      dir,
      prefix,
      agentTtl: '5s',
      engineReconcileInterval: '2s',
      persistent: true,
      ...(options.etcdPort === undefined ? {} : { etcdPort: options.etcdPort }),
      onRecord: (record) => writer.update({ cluster: record }),
    });
  } catch (error) {
    // startCluster has torn down what it started; the logs stay.
    await writer.remove();
    io.stderr.write(`fleet-local-cluster: could not start the cluster: ${error instanceof Error ? error.message : String(error)}\n`);
    io.stderr.write(`Logs: ${shortPath(logDir)}/\n`);
    return 1;
  }
  await writer.update({ phase: 'up', cluster: cluster.record() });

  io.stdout.write(`\n${pad('etcd', 8)}${cluster.etcd.endpoint}  (pid ${cluster.etcd.process.pid})\n`);
  for (const m of cluster.machines) {
    io.stdout.write(
      `${pad(m.name, 8)}machine ${m.shortId}  fleetd pid ${m.process.pid}  dockerd pid ${m.docker.process.pid} ` +
        `${m.docker.endpoint}  metadata ${formatMetadata(m.metadata)}\n`,
    );
  }
  io.stdout.write(`${cluster.machines.length} machines registered.\n`);

  const flags = [`--endpoint=${cluster.etcd.endpoint}`, ...(prefix === DEFAULT_KEY_PREFIX ? [] : [`--etcd-key-prefix=${prefix}`])];
  let code = 0;
  try {
    if (existsSync(FLEETCTL_BIN)) {
      for (const args of [['start', DEMO_UNIT], ['list-machines'], ['list-units']]) {
        if (args[0] === 'list-units') await waitForUnitActive(cluster, basename(DEMO_UNIT));
        io.stdout.write(`\n$ fleetctl ${args.join(' ')}\n`);
        const run = await runFleetctl(flags, args, io.env);
        io.stdout.write(run.output);
        if (run.code !== 0) {
          io.stderr.write(`fleet-local-cluster: fleetctl ${args[0]} exited with code ${run.code}\n`);
          code = 1;
          break;
        }
      }
    } else {
      io.stdout.write(`\nfleetctl is not built yet (${shortPath(FLEETCTL_BIN)} is missing): starting ${DEMO_UNIT} through the registry.\n`);
      await startThroughRegistry(cluster, DEMO_UNIT);
      const machineId = await waitForUnitActive(cluster, basename(DEMO_UNIT));
      const machine = cluster.machines.find((m) => m.machineId === machineId);
      io.stdout.write(`${basename(DEMO_UNIT)} is active on ${machine?.name ?? machineId} (${machineId.slice(0, 8)}).\n`);
    }
  } catch (error) {
    io.stderr.write(`fleet-local-cluster: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  } finally {
    cluster.detach();
  }

  const env = [`export FLEETCTL_ENDPOINT=${cluster.etcd.endpoint}`];
  if (prefix !== DEFAULT_KEY_PREFIX) env.push(`export FLEETCTL_ETCD_KEY_PREFIX=${prefix}`);
  io.stdout.write(
    `\nThe cluster keeps running. Drive it with fleetctl:\n` +
      env.map((line) => `  ${line}\n`).join('') +
      `  alias fleetctl='node ${FLEETCTL_BIN}'\n` +
      `  fleetctl list-units\n` +
      `Logs:      ${shortPath(logDir)}/\n` +
      `Status:    ${dirFlag(dir)}npm run cluster:status\n` +
      `Tear down: ${dirFlag(dir)}npm run cluster:down\n`,
  );
  return code;
}

export async function localClusterDown(options: LocalClusterOptions, io: LocalClusterIo): Promise<number> {
  const dir = resolve(options.dir);
  const state = await readState(dir);
  if (state === undefined) {
    io.stdout.write(`No local cluster is up (no state in ${shortPath(dir)}).\n`);
    return 0;
  }
  if (await isAlive(state.upProcess)) {
    io.stderr.write(`fleet-local-cluster up (pid ${state.upProcess.pid}) is still running; wait for it to finish, then run down.\n`);
    return 1;
  }
  const { cluster } = state;
  io.stdout.write(
    `Stopping ${cluster.machines.length} fleetd (they remove their containers), then ${cluster.dockerds.length} dockerd, then etcd ...\n`,
  );
  try {
    await teardownCluster(cluster);
  } catch (error) {
    io.stderr.write(`fleet-local-cluster: teardown failed (run down again to retry): ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  await removeState(dir);
  await rm(join(dir, 'machines'), { recursive: true, force: true });
  io.stdout.write(`Local cluster removed. Logs kept in ${shortPath(join(dir, 'logs'))}/\n`);
  return 0;
}

export async function localClusterStatus(options: LocalClusterOptions, io: LocalClusterIo): Promise<number> {
  const dir = resolve(options.dir);
  const state = await readState(dir);
  if (state === undefined) {
    io.stdout.write(`No local cluster is up (no state in ${shortPath(dir)}).\n`);
    return 0;
  }
  const { cluster } = state;
  const alive = new Set((await liveProcesses(recordedProcesses(state))).map((p) => p.pid));
  const health = (pid: number): string => `pid ${pid} ${alive.has(pid) ? 'running' : 'gone'}`;
  io.stdout.write(`Local fleet cluster in ${shortPath(dir)}: ${state.phase}, started ${state.startedAt}\n`);
  if (cluster.etcd !== undefined) io.stdout.write(`${pad('etcd', 8)}${cluster.etcd.endpoint}  ${health(cluster.etcd.process.pid)}\n`);
  for (const d of cluster.dockerds) {
    const m = cluster.machines.find((machine) => machine.dockerEndpoint === d.endpoint);
    io.stdout.write(
      `${pad(d.name, 8)}dockerd ${health(d.process.pid)}  ` +
        (m === undefined ? 'no fleetd' : `fleetd ${health(m.process.pid)}  machine ${m.machineId.slice(0, 8)}  ${formatMetadata(m.metadata)}`) +
        '\n',
    );
  }
  if (cluster.etcd !== undefined && alive.has(cluster.etcd.process.pid)) {
    const client = createEtcdClient({ endpoints: [cluster.etcd.endpoint] });
    try {
      const registry = new EtcdRegistry({ client, logger: noopLogger, prefix: cluster.prefix });
      const [machines, states] = await Promise.all([registry.listMachines(), registry.listStates()]);
      const active = states.filter((s) => s.state.activeState === 'active').length;
      io.stdout.write(`${machines.length} machines registered, ${active} ${active === 1 ? 'unit' : 'units'} active\n`);
    } finally {
      client.close();
    }
  }
  return 0;
}

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): { command?: string; options: LocalClusterOptions } | string {
  let command: string | undefined;
  let dir = env['FLEET_LOCAL_CLUSTER_DIR'] ?? DEFAULT_LOCAL_CLUSTER_DIR;
  let port = env['FLEET_LOCAL_CLUSTER_ETCD_PORT'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--dir') {
      const v = value();
      if (v === undefined || v === '') return '--dir needs a directory';
      dir = v;
    } else if (flag === '--etcd-port') {
      port = value();
      if (port === undefined) return '--etcd-port needs a port';
    } else if (flag === '-h' || flag === '--help') {
      command = 'help';
    } else if (!arg.startsWith('-') && command === undefined) {
      command = arg;
    } else {
      return `unexpected argument ${JSON.stringify(arg)}`;
    }
  }
  if (port !== undefined && port !== '' && !/^\d{1,5}$/.test(port)) return `bad etcd port ${JSON.stringify(port)}`;
  const etcdPort = port === undefined || port === '' ? undefined : Number(port);
  return { ...(command === undefined ? {} : { command }), options: { dir, ...(etcdPort === undefined ? {} : { etcdPort }) } };
}

/** The `fleet-local-cluster` command; returns the exit code. */
export async function runLocalCluster(argv: readonly string[], io: LocalClusterIo): Promise<number> {
  const parsed = parseArgs(argv, io.env);
  if (typeof parsed === 'string') {
    io.stderr.write(`fleet-local-cluster: ${parsed}\n${USAGE}`);
    return 2;
  }
  try {
    switch (parsed.command) {
      case 'up':
        return await localClusterUp(parsed.options, io);
      case 'down':
        return await localClusterDown(parsed.options, io);
      case 'status':
        return await localClusterStatus(parsed.options, io);
      case 'help':
        io.stdout.write(USAGE);
        return 0;
      default:
        io.stderr.write(USAGE);
        return 2;
    }
  } catch (error) {
    io.stderr.write(`fleet-local-cluster: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
