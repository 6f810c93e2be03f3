import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { type Cluster, eventually, fleetctl, type FleetdMachine, loopUnit, startCluster, unitDir } from '@fleet/testkit';
import { oneRunning } from './support.js';

/**
 * status, journal and restart against real fleetd machines: the container the agent started, read
 * through the Docker endpoint its machine registered, and restarted by the agents in two steps.
 */

async function runningContainer(cluster: Cluster, unit: string): Promise<{ machine: FleetdMachine; id: string; startedAt: string }> {
  const { machine, info } = await oneRunning(cluster, unit);
  const inspect = await machine.docker.docker.getContainer(info.Id).inspect();
  return { machine, id: info.Id, startedAt: inspect.State.StartedAt };
}

describe('status, journal and restart on a real cluster', () => {
  let cluster: Cluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startCluster({ machines: 2 });
    dir = await unitDir({ 'echo.service': loopUnit('', 'tick %n') });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('status shows the running container and its last lines; journal -n prints them', async () => {
    expect((await fleetctl(cluster, ['start', join(dir, 'echo.service')])).code).toBe(0);
    const { machine, id } = await runningContainer(cluster, 'echo.service');
    // The unit prints a line a second: wait for a few.
    await eventually(async () => (await machine.docker.docker.getContainer(id).logs({ stdout: true })).toString().split('tick').length > 3, {
      what: 'a few lines of output',
    });

    const status = await fleetctl(cluster, ['status', 'echo.service']);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    const [head, logs] = status.stdout.split('\n\n');
    expect(head).toMatch(/^● echo\.service - Test unit\n {3}Loaded: loaded/);
    expect(head).toMatch(/\n {3}Active: active \(running\)/);
    expect(head).toContain(`Container: ${id.slice(0, 12)}\n`);
    expect(head).toContain(machine.shortId);
    const lines = logs!.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(new RegExp(`${machine.shortId} echo\\.service\\[${id.slice(0, 12)}\\]: tick echo\\.service$`));

    const journal = await fleetctl(cluster, ['journal', '-n', '2', '--output=cat', 'echo.service']);
    expect(journal).toMatchObject({ code: 0, stdout: 'tick echo.service\ntick echo.service\n' });
  }, 90_000);

  it('restart stops and starts the same container again on its machine', async () => {
    const before = await runningContainer(cluster, 'echo.service');
    // Docker's StartedAt has nanoseconds: a restart within the same second still changes it.
    const restart = await fleetctl(cluster, ['restart', 'echo.service']);
    expect(restart.code).toBe(0);
    const after = await runningContainer(cluster, 'echo.service');
    expect(after.machine.machineId).toBe(before.machine.machineId);
    expect(after.id).toBe(before.id);
    expect(after.startedAt).not.toBe(before.startedAt);
    const states = await cluster.registry.listStates('echo.service');
    expect(states.map((s) => `${s.state.activeState}/${s.state.subState}`)).toEqual(['active/running']);
  }, 90_000);
});
