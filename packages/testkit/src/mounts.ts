import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** mountinfo escapes space, tab, newline and backslash as 3-digit octal. */
function unescapeMountPath(raw: string): string {
  return raw.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Mount points at or below `dir`, in mount order (later mounts may sit on earlier ones). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points: string[] = [];
  for (const line of info.split('\n')) {
    const raw = line.split(' ')[4];
    if (raw === undefined) continue;
    const point = unescapeMountPath(raw);
    if (point === dir || point.startsWith(`${dir}/`)) points.push(point);
  }
  return points;
}

/**
 * Unmounts everything at or below `dir`, newest first, so a directory tree a killed dockerd left
 * behind (overlay rootfs, shm, netns binds) can be deleted without touching the mounts' sources.
 */
export async function unmountAllUnder(dir: string): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const points = await mountsUnder(dir);
    if (points.length === 0) return;
    for (const point of points.reverse()) {
      try {
        await run('umount', [point]);
      } catch {
        // Busy (a process still has it open): detach it; the kernel frees it once unused.
        await run('umount', ['-l', point]).catch(() => undefined);
      }
    }
  }
  const left = await mountsUnder(dir);
  if (left.length > 0) throw new Error(`could not unmount: ${left.join(', ')}`);
}
