import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from './cluster.js';

export interface FleetctlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs fleetctl in-process against the cluster, capturing its output. The CLI is loaded on first
 * use, so tests that only need etcd or dockerd from this package do not load yargs and the CLI.
 */
export async function fleetctl(cluster: Pick<Cluster, 'fleetctlFlags'>, args: readonly string[]): Promise<FleetctlResult> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    env: {},
  };
  const { main } = await import('@fleet/cli');
  const code = await main([...cluster.fleetctlFlags, ...args], io);
  return { code, stdout, stderr };
}

/** Writes unit files into a fresh temp dir; returns the dir. */
export async function unitDir(units: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-units-'));
  await Promise.all(Object.entries(units).map(([name, text]) => writeFile(join(dir, name), text)));
  return dir;
}

/** A [Container] unit running a busybox loop from the test image, with extra sections appended. */
export function loopUnit(extra = '', message = 'Hello %n'): string {
  return `[Unit]
Description=Test unit

[Container]
Image=fleet-test/busybox:1
Exec=/bin/sh -c "trap 'exit 0' INT TERM; while true; do echo ${message}; sleep 1; done"
Pull=never
${extra === '' ? '' : `\n${extra}\n`}`;
}
