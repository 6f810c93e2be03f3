import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { eventually } from './eventually.js';
import { isAlive, parseStat } from './host-processes.js';
import { armSentinel } from './sentinel.js';

/**
 * Every process the harness starts is tracked here, started in its own process group and torn
 * down by pid, so a failing test never leaves etcd, dockerd or fleetd behind — and the harness
 * never signals a process it did not start.
 */

/**
 * What is needed to find a started process again from another process (the local cluster's
 * `down`): the pid and its start time, so that a pid reused by an unrelated process is never
 * signalled.
 */
export interface ProcessRecord {
  readonly name: string;
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat at spawn. */
  readonly startTime: string;
  readonly logFile: string;
}

export interface TrackedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  readonly record: ProcessRecord;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /**
   * Outlive this process (the local cluster): no sentinel and no exit hook kill it, and the
   * event loop does not wait for it. Whoever asked for this keeps its `record` to stop it later.
   */
  readonly persistent?: boolean;
}

const live = new Set<TrackedProcess>();

function startTimeOf(pid: number): string {
  // The child is forked by the time spawn() returns, and stays a zombie until we reap it.
  const stat = parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'), '');
  if (stat === undefined) throw new Error(`cannot read /proc/${pid}/stat`);
  return stat.startTime;
}

/** Signals the recorded process (its whole group when it leads one), if it is still that process. */
export async function signalProcess(record: Pick<ProcessRecord, 'pid' | 'startTime'>, sig: NodeJS.Signals): Promise<void> {
  if (!(await isAlive(record))) return;
  try {
    process.kill(-record.pid, sig);
  } catch {
    try {
      process.kill(record.pid, sig);
    } catch {
      // already gone
    }
  }
}

/**
 * SIGTERM (after SIGCONT, in case a test froze it), SIGKILL after `graceMs`; resolves once the
 * recorded process is gone. A process that is already gone, or whose pid now names another
 * process, is left alone.
 */
export async function stopProcess(record: ProcessRecord, graceMs = 10_000): Promise<void> {
  if (!(await isAlive(record))) return;
  await signalProcess(record, 'SIGCONT');
  await signalProcess(record, 'SIGTERM');
  const gone = async (): Promise<boolean> => !(await isAlive(record));
  try {
    await eventually(gone, { timeoutMs: graceMs, intervalMs: 50, what: `${record.name} (pid ${record.pid}) to exit` });
  } catch {
    await signalProcess(record, 'SIGKILL');
    await eventually(gone, { timeoutMs: 10_000, intervalMs: 50, what: `${record.name} (pid ${record.pid}) to die` });
  }
}

export function spawnTracked(name: string, command: string, args: readonly string[], options: SpawnOptions): TrackedProcess {
  const persistent = options.persistent === true;
  const fd = openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  const record: ProcessRecord = { name, pid, startTime: startTimeOf(pid), logFile: options.logFile };
  // Jest never runs the 'exit' hook below on the real exit; this kills the group if the worker dies.
  const sentinel = persistent
    ? undefined
    : armSentinel('kill -9 -"$FT_PGID" 2>/dev/null || kill -9 "$FT_PGID" 2>/dev/null', { FT_PGID: String(pid) });
  if (persistent) child.unref();
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, sig) => {
      done = true;
      sentinel?.disarm();
      live.delete(tracked);
      resolve(code ?? sig ?? 'unknown');
    });
  });
  const signalGroup = (sig: NodeJS.Signals): void => {
    if (done) return;
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  const tracked: TrackedProcess = {
    name,
    child,
    pid,
    logFile: options.logFile,
    record,
    exited,
    hasExited: () => done,
    signal: signalGroup,
    async stop(graceMs = 10_000) {
      if (done) return;
      // A persistent child is unref'd: waiting for its exit must keep the event loop alive.
      child.ref();
      await stopProcess(record, graceMs);
      await exited;
    },
  };
  if (!persistent) live.add(tracked);
  return tracked;
}

/** Stops every (non-persistent) process still running, newest first. */
export async function stopAllTracked(graceMs = 10_000): Promise<void> {
  const all = [...live].reverse();
  for (const p of all) await p.stop(graceMs);
}

// Last resort when a test worker exits without running its teardown.
process.once('exit', () => {
  for (const p of live) p.signal('SIGKILL');
});
