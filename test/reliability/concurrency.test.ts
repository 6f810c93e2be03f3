import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Cluster, eventually, fleetctl, type FleetctlResult, loopUnit, startCluster, unitDir } from '@fleet/testkit';
import { containers, runningHosts, scheduleOf } from './support.js';

/**
 * Concurrent users (docs/reliability.md "Concurrent users"): racing submits, destroy during a
 * waiting start, and 100 units started by 5 fleetctl processes at once. fleetctl runs from the
 * built bin (`npx tsc -b`), as a user runs it.
 */
const FLEETCTL_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/bin/fleetctl.js');

/** Runs the fleetctl binary; killed (and reported) if it has not exited after `timeoutMs`. */
function fleetctlProcess(cluster: Cluster, args: readonly string[], timeoutMs = 90_000): Promise<FleetctlResult & { timedOut: boolean }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [FLEETCTL_BIN, ...cluster.fleetctlFlags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr, timedOut });
    });
  });
}

describe('concurrent fleetctl users', () => {
  let cluster: Cluster;
  let dir: string;

  beforeAll(async () => {
    cluster = await startCluster({ machines: 3, agentTtl: '2s' });
    dir = await unitDir({});
    await Promise.all([mkdir(join(dir, 'a')), mkdir(join(dir, 'b'))]);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 180_000);

  it('two submits of one name with different contents: exactly one wins, the other is told', async () => {
    for (let round = 0; round < 5; round++) {
      const name = `race${round}.service`;
      const a = join(dir, 'a', name);
      const b = join(dir, 'b', name);
      await Promise.all([writeFile(a, loopUnit('', 'from a')), writeFile(b, loopUnit('', 'from b'))]);
      const results = await Promise.all([fleetctl(cluster, ['submit', a]), fleetctl(cluster, ['submit', b])]);
      const winners = results.filter((r) => r.stdout === `Unit ${name} inactive\n`);
      const losers = results.filter((r) => r.stderr.includes(`WARNING: Unit ${name} in registry differs from local unit file`));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0]!.stdout).toBe('');
      const stored = await cluster.registry.getUnit(name);
      const winner = results.indexOf(winners[0]!) === 0 ? 'from a' : 'from b';
      expect(stored?.unit.contents).toContain(winner);
    }
  }, 60_000);

  it('destroy while start waits: start returns, and the unit and its container are gone', async () => {
    // One that can never be placed (start waits), and one that may launch before the destroy lands.
    await writeFile(join(dir, 'nowhere.service'), loopUnit('[X-Fleet]\nMachineMetadata=role=none'));
    await writeFile(join(dir, 'quick.service'), loopUnit());
    for (const name of ['nowhere.service', 'quick.service']) {
      // Default blocking start (waits as long as it takes): it must notice the destroy.
      const start = fleetctlProcess(cluster, ['start', join(dir, name)], 20_000);
      await eventually(async () => (await cluster.registry.getUnit(name))?.unit.targetState === 'launched', {
        what: `${name} to be asked to launch`,
      });
      const destroy = await fleetctl(cluster, ['destroy', name]);
      expect(destroy).toMatchObject({ code: 0, stdout: `Destroyed ${name}\n` });
      const result = await start;
      expect(result.timedOut).toBe(false);
      if (result.code !== 0) expect(result.stderr).toMatch(new RegExp(`${name.replace('.', '\\.')}.*(destroyed|not found|removed)`, 'i'));
      else expect(result.stdout).toContain(`Unit ${name} launched`);
      expect(await cluster.registry.getUnit(name)).toBeUndefined();
      await eventually(async () => (await containers(cluster, name)).length === 0, { what: `no container of ${name}` });
      process.stdout.write(`destroy during start of ${name}: start exited ${result.code}: ${(result.code === 0 ? result.stdout : result.stderr).trim()}\n`);
    }
  }, 60_000);

  it('100 units started by 5 fleetctl processes at once all launch exactly once', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `many${String(i).padStart(3, '0')}.service`);
    await Promise.all(names.map((n) => writeFile(join(dir, n), loopUnit())));
    const t0 = Date.now();
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((p) => fleetctlProcess(cluster, ['start', ...names.filter((_, i) => i % 5 === p).map((n) => join(dir, n))], 150_000)),
    );
    const elapsed = Date.now() - t0;
    expect(results.map((r) => [r.code, r.timedOut, r.stderr])).toEqual(results.map(() => [0, false, '']));
    for (const r of results) expect(r.stdout.match(/ launched on /g)).toHaveLength(20);
    const schedule = await scheduleOf(cluster);
    const hosts = await runningHosts(cluster);
    for (const n of names) {
      expect(schedule.get(n)).toHaveLength(1);
      expect(hosts.get(n)).toEqual(schedule.get(n));
    }
    const perMachine = cluster.machines.map((m) => names.filter((n) => schedule.get(n)![0] === m.machineId).length);
    process.stdout.write(`100 units from 5 fleetctl processes: all launched in ${elapsed} ms, per machine ${perMachine.join('/')}\n`);
  }, 180_000);
});
