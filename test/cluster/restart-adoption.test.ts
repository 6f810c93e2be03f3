import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { type Cluster, eventually, fleetctl, loopUnit, startCluster, unitDir } from '@fleet/testkit';
import { oneRunning } from './support.js';

/** A fleetd SIGKILLed and started again adopts the container it left running. */

describe('fleetd restart adoption on a real cluster', () => {
  let cluster: Cluster;
  let dir: string;
  beforeAll(async () => {
    // The default agent_ttl: a fleetd restart must adopt its lease before it expires, which a
    // loaded CI box may not manage within the fast 2 s the other cluster tests use.
    cluster = await startCluster({ machines: 3, agentTtl: '5s' });
    dir = await unitDir({ 'adopt.service': loopUnit() });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('a restarted fleetd adopts its running container (same container id, no reschedule)', async () => {
    expect((await fleetctl(cluster, ['start', '--block-attempts=15', join(dir, 'adopt.service')])).code).toBe(0);
    const before = await oneRunning(cluster, 'adopt.service');
    const startedBefore = (await before.machine.docker.docker.getContainer(before.info.Id).inspect()).State.StartedAt;
    await before.machine.kill();
    before.machine.restart();
    // Give the restarted fleetd time to reconcile, then check nothing moved or restarted.
    await eventually(
      async () => {
        const states = await cluster.registry.listStates('adopt.service');
        return states.length === 1 && states[0]!.state.activeState === 'active';
      },
      { what: 'adopted unit to be reported active' },
    );
    const machines = await cluster.registry.listMachines();
    expect(machines.map((m) => m.machine.id)).toContain(before.machine.machineId);
    const after = await oneRunning(cluster, 'adopt.service');
    expect(after.info.Id).toBe(before.info.Id);
    expect(after.machine.machineId).toBe(before.machine.machineId);
    const inspect = await after.machine.docker.docker.getContainer(after.info.Id).inspect();
    expect(inspect.RestartCount).toBe(0);
    expect(inspect.State.StartedAt).toBe(startedBefore);
    await fleetctl(cluster, ['destroy', 'adopt.service']);
  }, 90_000);

});
