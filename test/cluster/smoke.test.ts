import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { parseUnitFile, serializeUnitFile, unitHash, unitRequirements, type TargetState } from '@fleet/core';
import { type Cluster, eventually, startCluster } from '@fleet/testkit';

async function submit(cluster: Cluster, file: string, name: string, targetState: TargetState) {
  const parsed = parseUnitFile(await readFile(file, 'utf8'));
  const global = unitRequirements(parsed, name).requirements.global;
  await cluster.registry.createUnit({ name, hash: unitHash(parsed), contents: serializeUnitFile(parsed), targetState }, { global });
}

describe('fleetd smoke', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ machines: 2 });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('runs a launched unit in a container on one machine', async () => {
    await submit(cluster, 'units/hello.service', 'hello.service', 'launched');
    const state = await eventually(
      async () => {
        const states = await cluster.registry.listStates('hello.service');
        return states.find((s) => s.state.activeState === 'active')?.state ?? false;
      },
      { timeoutMs: 30_000, what: `hello.service to run (logs in ${cluster.logDir})` },
    );
    expect(state.subState).toBe('running');
    const machine = cluster.machines.find((m) => m.machineId === state.machineId)!;
    const containers = await machine.docker.docker.listContainers({ filters: { label: ['fleet.unit=hello.service'] } });
    expect(containers).toHaveLength(1);
    expect(containers[0]!.Labels['fleet.machine']).toBe(machine.machineId);
  }, 60_000);
});
