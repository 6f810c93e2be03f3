import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The real-process benchmarks (failover, start latency, fleetctl speed) at their smallest, end to
 * end, so that bench/ does not rot: each compiled script (built by `npx tsc -b`, which CI runs
 * before the tests) must finish, clean up and write results whose measurements are consistent.
 * Correctness only: no timing target is asserted.
 */
const BENCH = fileURLToPath(new URL('../../../bench/dist/', import.meta.url));

async function runBenchmark(script: string, args: readonly string[]): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-bench-test-'));
  try {
    await promisify(execFile)(process.execPath, [join(BENCH, script), ...args, `--results=${dir}`], { timeout: 170_000 });
    return JSON.parse(await readFile(join(dir, `${script.replace(/\.js$/, '')}.json`), 'utf8')) as unknown;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Move {
  unit: string;
  from: string;
  to: string;
  leaseExpiredMs: number;
  scheduledMs: number;
  runningMs: number;
}

describe('the real-process benchmarks', () => {
  it('failover: every unit of the killed machine runs elsewhere, after its lease expired and it was placed again', async () => {
    const output = (await runBenchmark('failover.js', ['--ttls=2', '--trials=1', '--units=3'])) as {
      results: { agentTtlMs: number; trials: { victim: string; moves: Move[] }[]; perUnit: { n: number } }[];
    };
    const [result] = output.results;
    expect(result!.agentTtlMs).toBe(2000);
    const [trial] = result!.trials;
    expect(trial!.moves.length).toBeGreaterThan(0);
    expect(result!.perUnit.n).toBe(trial!.moves.length);
    for (const move of trial!.moves) {
      expect(move.from).toBe(trial!.victim);
      expect(move.to).not.toBe(trial!.victim);
      expect(move.leaseExpiredMs).toBeGreaterThan(0);
      expect(move.scheduledMs).toBeGreaterThanOrEqual(move.leaseExpiredMs);
      expect(move.runningMs).toBeGreaterThan(move.scheduledMs);
    }
  }, 180_000);

  it('start latency: times fleetctl start and docker run -d side by side', async () => {
    const output = (await runBenchmark('start-latency.js', ['--rounds=1', '--warmup=0'])) as {
      results: { way: string; returned: { n: number; p50: number }; containerRunning: { p50: number } }[];
    };
    expect(output.results.map((r) => r.way)).toEqual(['fleetctl-bin', 'fleetctl-main', 'docker-cli', 'dockerode']);
    for (const r of output.results) {
      expect(r.returned.n).toBe(1);
      // Each command returns only once its container runs (Docker stamps StartedAt with the same clock; 2 ms for rounding).
      expect(r.returned.p50).toBeGreaterThanOrEqual(r.containerRunning.p50 - 2);
    }
  }, 180_000);

  it('fleetctl speed: lists a seeded keyspace and submits in one call', async () => {
    const output = (await runBenchmark('cli-speed.js', ['--runs=1', '--sizes=20', '--submit=5'])) as {
      results: { label: string; runs: number; summary: { p50: number } }[];
    };
    expect(output.results.map((r) => r.label)).toEqual([
      '--help',
      'version',
      'submit 5 units (one call)',
      'list-units, 20 units',
      'list-unit-files, 20 units',
      'list-units, 20 units (main, in-process)',
      'list-unit-files, 20 units (main, in-process)',
    ]);
    for (const r of output.results) expect(r.summary.p50).toBeGreaterThan(0);
  }, 180_000);
});
