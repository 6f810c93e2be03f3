import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { armSentinel } from './sentinel.js';

/**
 * Every process the harness starts is tracked here, started in its own process group and torn
 * down by pid, so a failing test never leaves etcd, dockerd or fleetd behind — and the harness
 * never signals a process it did not start.
 */
export interface TrackedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<TrackedProcess>();

export function spawnTracked(
  name: string,
  command: string,
  args: readonly string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): TrackedProcess {
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
  // Jest never runs the 'exit' hook below on the real exit; this kills the group if the worker dies.
  const sentinel = armSentinel('kill -9 -"$FT_PGID" 2>/dev/null || kill -9 "$FT_PGID" 2>/dev/null', { FT_PGID: String(pid) });
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, sig) => {
      done = true;
      sentinel.disarm();
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
    exited,
    hasExited: () => done,
    signal: signalGroup,
    async stop(graceMs = 10_000) {
      if (done) return;
      signalGroup('SIGCONT');
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  live.add(tracked);
  return tracked;
}

/** Stops every process still running, newest first. */
export async function stopAllTracked(graceMs = 10_000): Promise<void> {
  const all = [...live].reverse();
  for (const p of all) await p.stop(graceMs);
}

// Last resort when a test worker exits without running its teardown.
process.once('exit', () => {
  for (const p of live) p.signal('SIGKILL');
});
