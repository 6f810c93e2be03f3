import { CONTAINER_LABELS } from '@fleet/core';
import type { DockerDaemon } from '@fleet/testkit';
import type { ChaosCluster, ChaosMachine } from './chaos-cluster.js';
import { DOCKER_PROBE_INTERVAL_MS, DOCKER_PROBE_TIMEOUT_MS } from './chaos-config.js';
import { withTimeout } from './chaos-observer.js';
import { judgeProbe, type ProbeOutcome } from './docker-hangs.js';

/**
 * The Docker health probe: every ~1 s, for each machine whose host is up, list its fleet
 * containers and inspect every one of them. dockerd 20.10 was seen to stop answering `stop` and
 * then every `inspect` of the stopped containers while `listContainers` still answered (and said
 * `running`): fleet can do nothing through such a daemon. A probe with no answer within
 * DOCKER_PROBE_TIMEOUT_MS marks that dockerd hung from the probe's start (judgeProbe decides);
 * the test repairs it between rounds (ChaosCluster.repairDockerHang). One loop per machine, so a
 * hung daemon does not delay the others' probes.
 */
export class DockerProbe {
  probes = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly chaos: ChaosCluster) {}

  start(): void {
    this.running = true;
    this.loop = Promise.all(this.chaos.machines.map((m) => this.probeLoop(m))).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async probeLoop(machine: ChaosMachine): Promise<void> {
    while (this.running) {
      const at = Date.now();
      if (!machine.hostDown) await this.probeOnce(machine, at);
      const wait = DOCKER_PROBE_INTERVAL_MS - (Date.now() - at);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async probeOnce(machine: ChaosMachine, startedAt: number): Promise<void> {
    const docker = machine.docker;
    const outcome = await withTimeout(inspectAll(docker), DOCKER_PROBE_TIMEOUT_MS, `probing dockerd-${machine.name}`).then(
      (o) => o,
      (): ProbeOutcome => 'no-answer',
    );
    this.probes++;
    const verdict = judgeProbe({
      outcome,
      sameDaemon: machine.docker === docker,
      hostDown: machine.hostDown,
      alreadyHung: this.chaos.dockerHangs.some((h) => h.docker === docker),
    });
    if (verdict === 'healthy' && outcome === 'answered') this.chaos.dockerAnsweredAt.set(docker, Date.now());
    if (verdict !== 'hung') return;
    this.chaos.markDockerHung(machine, docker, startedAt);
    process.stdout.write(
      `chaos: dockerd-${machine.name} did not answer a probe within ${DOCKER_PROBE_TIMEOUT_MS} ms (from ${new Date(startedAt).toISOString()}): ` +
        'an environment failure of that host; it is exempt from then on and gets a fresh dockerd and fleetd\n',
    );
  }
}

/** Lists the daemon's running fleet containers and inspects each; an error reply still counts as an answer. */
async function inspectAll(docker: DockerDaemon): Promise<ProbeOutcome> {
  const isConnectionFailure = (e: unknown): boolean => /ECONNREFUSED|ENOENT|EPIPE|ECONNRESET/.test(String((e as { code?: string }).code ?? e));
  try {
    const list = await docker.docker.listContainers({ filters: { label: [CONTAINER_LABELS.unit] } });
    await Promise.all(list.map((c) => docker.docker.getContainer(c.Id).inspect().catch((e: unknown) => {
      if (isConnectionFailure(e)) throw e;
    })));
    return 'answered';
  } catch (error) {
    return isConnectionFailure(error) ? 'failed' : 'answered';
  }
}
