import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { epochMs } from './percentiles.js';

export interface TimedRun {
  /** Wall time from spawn to exit, as a user at a shell sees it. */
  readonly ms: number;
  /** Epoch ms just before the spawn (to compare with Docker's timestamps). */
  readonly startedAt: number;
  /**
   * CPU time (user + system, all its threads) the command used, to 10 ms: unlike wall time, it
   * hardly changes when other work shares the machine. Exact only while no other child of this
   * process exits meanwhile (long-lived ones, such as a cluster's daemons, do not count).
   */
  readonly cpuMs: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its exit, timing it; the output is collected, never shown. */
export function timedSpawn(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const startedAt = epochMs();
    const cpu0 = reapedChildrenCpuMs();
    const t0 = performance.now();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({
        ms: performance.now() - t0,
        startedAt,
        cpuMs: reapedChildrenCpuMs() - cpu0,
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** cutime + cstime of this process: CPU used by its children that have exited and been reaped. */
function reapedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces), which ends at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10; // fields 16 and 17, in 1/100 s
}

/** Throws unless the run exited 0. */
export function succeeded(run: TimedRun, what: string): TimedRun {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stderr.trim() || run.stdout.trim()}`);
  return run;
}
