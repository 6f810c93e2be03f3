import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The hollow-machine benchmarks at their smallest, end to end, so that bench/ does not rot: each
 * compiled script (built by `npx tsc -b`, which CI runs before the tests) must finish, clean up
 * and report every unit launched. Correctness only: no timing is asserted.
 */
const BENCH = fileURLToPath(new URL('../../../bench/dist/', import.meta.url));

async function runBenchmark(script: string, args: readonly string[]): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-bench-test-'));
  try {
    await promisify(execFile)(process.execPath, [join(BENCH, script), ...args, `--results=${dir}`, '--agent-procs=1'], {
      timeout: 100_000,
    });
    const name = script.replace(/\.js$/, '');
    return JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as unknown;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the hollow-machine benchmarks', () => {
  it('schedules and launches every unit on hollow machines', async () => {
    const output = (await runBenchmark('scheduling-throughput.js', ['--sizes=5x50', '--raw=100,500'])) as {
      results: { units: number; scheduledSeconds: number; launchedSeconds: number; errors: number; raw: { inFlight: { txns: number } } }[];
    };
    const [result] = output.results;
    expect(result).toMatchObject({ units: 50, errors: 0 });
    expect(result!.scheduledSeconds).toBeGreaterThan(0);
    expect(result!.launchedSeconds).toBeGreaterThanOrEqual(result!.scheduledSeconds);
    expect(result!.raw.inFlight.txns).toBeGreaterThan(0);
  }, 120_000);

  it('measures the etcd traffic of an idle cluster: one keepalive stream per machine', async () => {
    const output = (await runBenchmark('etcd-load.js', ['--machines=4', '--units=0,20', '--window=2', '--settle=1'])) as {
      results: { machines: number; units: number; traffic: { streamMessages: Record<string, number> } }[];
    };
    expect(output.results.map((r) => [r.machines, r.units])).toEqual([
      [4, 0],
      [4, 20],
    ]);
    for (const r of output.results) expect(r.traffic.streamMessages['LeaseKeepAlive']).toBeGreaterThan(0);
  }, 120_000);

  it('samples the memory of the engine and of fleetd processes', async () => {
    const output = (await runBenchmark('memory.js', ['--sizes=3x20', '--settle=1'])) as {
      results: { engine: { rssBytes: number }; fleetdAgent: { rssBytes: number }; fleetdAgentAndEngine: { rssBytes: number } }[];
    };
    const [result] = output.results;
    expect(result!.engine.rssBytes).toBeGreaterThan(0);
    expect(result!.fleetdAgent.rssBytes).toBeGreaterThan(0);
    expect(result!.fleetdAgentAndEngine.rssBytes).toBeGreaterThan(0);
  }, 120_000);

  it('schedules with the engine alone and finds it idle afterwards', async () => {
    const output = (await runBenchmark('engine-alone.js', ['--sizes=5x50', '--window=1'])) as {
      results: { units: number; scheduledSeconds: number; idleSentBytesPerSecond: number }[];
    };
    const [result] = output.results;
    expect(result!.units).toBe(50);
    expect(result!.scheduledSeconds).toBeGreaterThan(0);
  }, 120_000);
});
