import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * A last-resort cleaner for when a test worker dies without running its teardown (crash,
 * timeout with --forceExit, Ctrl-C). It cannot be a `process.on('exit')` handler: Jest gives
 * each test file a copy of `process` whose listeners never see the real process exit. Instead a
 * detached `sh` blocks reading a pipe whose only writer is this worker; when the worker dies the
 * read hits EOF and the script runs. Normal teardown disarms it first.
 *
 * Pass values through `env`, not inside `script`: the sentinel's own command line must not
 * contain the paths its script hunts for in other processes' command lines.
 */
export interface Sentinel {
  disarm(): void;
}

export function armSentinel(script: string, env: Record<string, string>): Sentinel {
  const child = spawn('sh', ['-c', `read -r word; [ "$word" = disarm ] && exit 0\n${script}`], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env['PATH'] ?? ''}`, ...env },
  });
  child.unref();
  (child.stdin as Socket | null)?.unref();
  child.stdin?.on('error', () => undefined);
  let armed = true;
  return {
    disarm() {
      if (!armed) return;
      armed = false;
      child.stdin?.end('disarm\n');
    },
  };
}
