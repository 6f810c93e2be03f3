import { readdir, readFile } from 'node:fs/promises';

/**
 * A snapshot of the host's process table read from /proc. The harness finds the processes a
 * private dockerd started (containerd, shims, container processes) this way, because most of
 * them leave dockerd's process group (containerd calls setsid, shims setpgid and are reparented).
 */
export interface HostProcess {
  readonly pid: number;
  readonly ppid: number;
  /** Field 22 of /proc/<pid>/stat: with the pid, identifies the process across pid reuse. */
  readonly startTime: string;
  /** One-letter state; 'Z' (zombie) counts as gone. */
  readonly state: string;
  readonly cmdline: readonly string[];
}

/** A process seen at one moment; `isAlive` checks it is still that same process. */
export interface ProcessRef {
  readonly pid: number;
  readonly startTime: string;
  readonly command: string;
}

export function parseStat(pid: number, stat: string, cmdline: string): HostProcess | undefined {
  // comm (field 2) is in parentheses and may itself contain spaces or ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  const state = fields[0];
  const ppid = Number(fields[1]);
  const startTime = fields[19];
  if (state === undefined || startTime === undefined || !Number.isInteger(ppid)) return undefined;
  const args = cmdline.split('\0');
  if (args.at(-1) === '') args.pop();
  return { pid, ppid, startTime, state, cmdline: args };
}

function pidDirs(names: readonly string[]): number[] {
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

export async function listHostProcesses(): Promise<Map<number, HostProcess>> {
  const all = new Map<number, HostProcess>();
  const pids = pidDirs(await readdir('/proc'));
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const [stat, cmdline] = await Promise.all([
          readFile(`/proc/${pid}/stat`, 'utf8'),
          readFile(`/proc/${pid}/cmdline`, 'utf8'),
        ]);
        const p = parseStat(pid, stat, cmdline);
        if (p !== undefined) all.set(pid, p);
      } catch {
        // exited while we were reading
      }
    }),
  );
  return all;
}

/** The roots plus every live (non-zombie) descendant of them, in pid order. */
export function withDescendants(roots: Iterable<number>, all: ReadonlyMap<number, HostProcess>): HostProcess[] {
  const children = new Map<number, number[]>();
  for (const p of all.values()) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const found = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (found.has(pid) || !all.has(pid)) continue;
    found.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...found]
    .sort((a, b) => a - b)
    .map((pid) => all.get(pid)!)
    .filter((p) => p.state !== 'Z');
}

export function refOf(p: HostProcess): ProcessRef {
  return { pid: p.pid, startTime: p.startTime, command: p.cmdline.join(' ') };
}

/** True while the very process `ref` names (same pid and start time) exists and is not a zombie. */
export async function isAlive(ref: Pick<ProcessRef, 'pid' | 'startTime'>): Promise<boolean> {
  try {
    const p = parseStat(ref.pid, await readFile(`/proc/${ref.pid}/stat`, 'utf8'), '');
    return p !== undefined && p.startTime === ref.startTime && p.state !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILL by pid; a process that is already gone is fine. */
export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
