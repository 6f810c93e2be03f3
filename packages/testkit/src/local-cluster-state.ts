import { readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterRecord } from './cluster.js';
import { isAlive, parseStat } from './host-processes.js';
import type { ProcessRecord } from './processes.js';

/**
 * The local cluster's state file, `<dir>/state.json`: everything `up` started, written as soon as
 * each process is spawned, so that `down` (another process, any time later) can tear it all down
 * by pid and start time — including what a failed or interrupted `up` left behind.
 */
export const STATE_FILE = 'state.json';

export interface LocalClusterState {
  readonly version: 1;
  /** `starting` while `up` runs; `up` once every machine has registered. */
  readonly phase: 'starting' | 'up';
  readonly startedAt: string;
  /** The `up` command itself: while it lives, neither another `up` nor `down` may proceed. */
  readonly upProcess: ProcessRecord;
  readonly cluster: ClusterRecord;
}

export function statePath(dir: string): string {
  return join(dir, STATE_FILE);
}

/** This process as a record (its start time read from /proc/self/stat). */
export function currentProcessRecord(name: string): ProcessRecord {
  const stat = parseStat(process.pid, readFileSync('/proc/self/stat', 'utf8'), '');
  if (stat === undefined) throw new Error('cannot read /proc/self/stat');
  return { name, pid: process.pid, startTime: stat.startTime, logFile: '' };
}

/** The state in `dir`, or undefined when there is none. A file that is not ours is an error. */
export async function readState(dir: string): Promise<LocalClusterState | undefined> {
  let text: string;
  try {
    text = await readFile(statePath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const state = JSON.parse(text) as Partial<LocalClusterState>;
  if (state.version !== 1 || state.cluster === undefined || state.upProcess === undefined) {
    throw new Error(`${statePath(dir)} is not a local cluster state file (version 1)`);
  }
  return state as LocalClusterState;
}

/** Every process the state records (not the `up` command), in teardown order. */
export function recordedProcesses(state: LocalClusterState): ProcessRecord[] {
  const { cluster } = state;
  return [
    ...cluster.machines.map((m) => m.process),
    ...cluster.dockerds.map((d) => d.process),
    ...(cluster.etcd === undefined ? [] : [cluster.etcd.process]),
  ];
}

export async function liveProcesses(records: readonly ProcessRecord[]): Promise<ProcessRecord[]> {
  const alive = await Promise.all(records.map((r) => isAlive(r)));
  return records.filter((_, i) => alive[i]);
}

/**
 * Writes the state file: `create` fails if one exists (two `up`s cannot both proceed); each
 * `update` replaces it atomically (write + rename), one at a time and in call order.
 */
export class StateWriter {
  private state: LocalClusterState;
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly dir: string, initial: LocalClusterState) {
    this.state = initial;
  }

  static async create(dir: string, initial: LocalClusterState): Promise<StateWriter> {
    await writeFile(statePath(dir), `${JSON.stringify(initial, null, 2)}\n`, { flag: 'wx' });
    return new StateWriter(dir, initial);
  }

  get current(): LocalClusterState {
    return this.state;
  }

  update(change: Partial<Pick<LocalClusterState, 'phase' | 'cluster'>>): Promise<void> {
    this.state = { ...this.state, ...change };
    const text = `${JSON.stringify(this.state, null, 2)}\n`;
    const file = statePath(this.dir);
    this.queue = this.queue.then(async () => {
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    });
    return this.queue;
  }

  /** Waits for pending writes, then deletes the file. */
  async remove(): Promise<void> {
    await this.queue.catch(() => undefined);
    await removeState(this.dir);
  }
}

export async function removeState(dir: string): Promise<void> {
  await rm(statePath(dir), { force: true });
  await rm(`${statePath(dir)}.tmp`, { force: true });
}
