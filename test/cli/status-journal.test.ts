import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ContainerSpec } from '@fleet/core';
import { DockerRuntime } from '@fleet/runtime';
import {
  buildTestImage,
  eventually,
  startDockerd,
  startEtcd,
  stopAllDockerds,
  TEST_IMAGE,
  type DockerDaemon,
  type EtcdServer,
} from '@fleet/testkit';
import { SimulatedCluster, machineRecord } from './support/cluster.js';
import { runCli } from './support/run-cli.js';

const HASH = 'b'.repeat(40);
const UNIT_TEXT = '[Unit]\nDescription=Counting %i\n\n[Container]\nImage=fleet-test/busybox:1\nExec=/bin/sh -c "i=0; while true; do i=$((i+1)); echo line $i; sleep 0.2; done"\nPull=never\n';

function counterSpec(): ContainerSpec {
  return {
    image: TEST_IMAGE,
    cmd: ['/bin/sh', '-c', 'i=0; while true; do i=$((i+1)); echo line $i; sleep 0.2; done'],
    env: [],
    ports: [],
    volumes: [],
    labels: {},
    pull: 'never',
    restart: 'no',
    restartSecMs: 100,
    stopTimeoutSec: 1,
    startTimeoutMs: 0,
  };
}

/**
 * status and journal read a container's output through the Docker endpoint its machine publishes:
 * a private dockerd runs the container, the machine record names that daemon, and the unit state
 * (seeded as the agent would publish it) names the container.
 */
describe('fleetctl status and journal read the container through its machine’s Docker endpoint', () => {
  let etcd: EtcdServer;
  let daemon: DockerDaemon;
  let cluster: SimulatedCluster;
  let containerId: string;
  const cli = (args: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(args, { env: cluster.env(), ...options });

  beforeAll(async () => {
    [etcd, daemon] = await Promise.all([startEtcd(), startDockerd({ name: 'cli' })]);
    await buildTestImage(daemon);
    const machine = machineRecord(3, { dockerEndpoint: daemon.endpoint });
    cluster = await SimulatedCluster.start(etcd.endpoint, { machines: [machine], react: false });
    const runtime = new DockerRuntime(daemon.endpoint, machine.id);
    const created = await runtime.create('count@1.service', HASH, counterSpec());
    await runtime.start(created.id);
    containerId = created.id;
    const { entry } = await cluster.registry.createUnit(
      { name: 'count@1.service', hash: HASH, contents: UNIT_TEXT, targetState: 'launched' },
      { global: false },
    );
    await cluster.applyAsEngine([{ kind: 'schedule', machineId: machine.id, unit: entry.unit, unitRevision: entry.modRevision }]);
    await cluster.publish({
      name: 'count@1.service',
      machineId: machine.id,
      hash: HASH,
      loadState: 'loaded',
      activeState: 'active',
      subState: 'running',
      containerId,
      image: TEST_IMAGE,
      startedAt: new Date().toISOString(),
      restartCount: 0,
    });
    // Enough output for a full tail.
    await eventually(async () => (await cli(['journal', '-n', '12', '--output', 'cat', 'count@1'])).stdout.split('\n').length > 12, {
      what: 'twelve lines of output',
    });
  });
  afterAll(async () => {
    await cluster.stop();
    await stopAllDockerds();
    await etcd.stop();
  });

  it('status ends with the last 10 lines, journalctl-style', async () => {
    const result = await cli(['status', 'count@1']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [head, logs] = result.stdout.split('\n\n');
    expect(head).toMatch(/^● count@1\.service - Counting 1\n {3}Loaded: loaded/);
    expect(head).toContain(`Container: ${containerId.slice(0, 12)}\n`);
    const lines = logs!.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    const shortId = cluster.machines[0]!.id.slice(0, 8);
    for (const line of lines) {
      expect(line).toMatch(new RegExp(`^[A-Z][a-z]{2} \\d\\d \\d\\d:\\d\\d:\\d\\d ${shortId} count@1\\.service\\[${containerId.slice(0, 12)}\\]: line \\d+$`));
    }
  });

  it('journal prints the last N lines (stdout and stderr of the container), consecutive and in order', async () => {
    const result = await cli(['journal', '--lines', '5', '--output', 'cat', 'count@1']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const numbers = lines.map((l) => Number(/^line (\d+)$/.exec(l)?.[1]));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  });

  it('journal -f keeps printing new output until interrupted, and exits 0', async () => {
    const interrupt = new AbortController();
    const result = await cli(['journal', '-f', '-n', '1', '--output=cat', 'count@1'], {
      signal: interrupt.signal,
      onStdout: (text) => {
        if (text.split('\n').length > 4) interrupt.abort();
      },
    });
    expect(result.code).toBe(0);
    const numbers = result.stdout.trimEnd().split('\n').map((l) => Number(/^line (\d+)$/.exec(l)?.[1]));
    expect(numbers.length).toBeGreaterThanOrEqual(4);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  });
});
