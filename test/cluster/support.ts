import type Docker from 'dockerode';
import { type Cluster, eventually, type FleetdMachine } from '@fleet/testkit';

/** Every container of `unit` on every machine of the cluster, with the machine it is on. */
export async function containersOf(cluster: Cluster, unit: string): Promise<{ machine: FleetdMachine; info: Docker.ContainerInfo }[]> {
  const out: { machine: FleetdMachine; info: Docker.ContainerInfo }[] = [];
  for (const machine of cluster.machines) {
    const list = await machine.docker.docker.listContainers({ all: true, filters: { label: [`fleet.unit=${unit}`] } });
    for (const info of list) out.push({ machine, info });
  }
  return out;
}

/** Waits until `unit` has exactly one container in the cluster and it runs. */
export async function oneRunning(cluster: Cluster, unit: string): Promise<{ machine: FleetdMachine; info: Docker.ContainerInfo }> {
  return eventually(
    async () => {
      const all = await containersOf(cluster, unit);
      return all.length === 1 && all[0]!.info.State === 'running' ? all[0]! : false;
    },
    { timeoutMs: 30_000, what: `${unit} to run in exactly one container` },
  );
}
