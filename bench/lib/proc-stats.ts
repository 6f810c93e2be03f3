import { readFile } from 'node:fs/promises';

/** Resident memory of a process, from /proc/<pid>/status (Linux). */
export interface MemorySample {
  /** VmRSS: resident now. */
  readonly rssBytes: number;
  /** VmHWM: the highest resident size so far. */
  readonly peakRssBytes: number;
}

export async function sampleMemory(pid: number | 'self' = 'self'): Promise<MemorySample> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (match === null) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export async function sampleCpuSeconds(pid: number | 'self' = 'self'): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces), which ends at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;
