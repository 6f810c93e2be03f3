import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { CONTAINER_LABELS, parseUnitFile, resolveContainerSpec, unitHash } from '@fleet/core';
import { DockerRuntime } from '@fleet/runtime';
import { buildTestImage, eventually, startDockerd, startEtcd, type DockerDaemon, type EtcdServer } from '@fleet/testkit';

/**
 * The foundation end to end: the harness's real etcd and dockerd, the test image built FROM
 * scratch, and a container run through fleet's own Docker edge from a parsed unit file.
 */
describe('a unit file becomes a container', () => {
  let daemon: DockerDaemon;
  let etcd: EtcdServer;
  beforeAll(async () => {
    [daemon, etcd] = await Promise.all([startDockerd({ name: 'u2c' }), startEtcd()]);
    await buildTestImage(daemon);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([daemon?.stop(), etcd?.stop()]);
  }, 60_000);

  it('runs hello@2.service from units/hello@.service with its labels and output, and leaves nothing behind', async () => {
    expect((await fetch(`${etcd.endpoint}/health`)).ok).toBe(true);
    const unit = parseUnitFile(await readFile('units/hello@.service', 'utf8'));
    const machineId = 'ab'.repeat(16);
    const resolved = resolveContainerSpec(unit, { unitName: 'hello@2.service', machineId, hostname: 'host' });
    if (!resolved.ok) throw new Error(resolved.errors.join('; '));
    const runtime = new DockerRuntime(daemon.endpoint, machineId);
    await runtime.ensureImage(resolved.spec.image, resolved.spec.pull);
    const hash = unitHash(unit);
    const { id } = await runtime.create('hello@2.service', hash, resolved.spec);
    await runtime.start(id);

    const inspected = await daemon.docker.getContainer(id).inspect();
    expect(inspected.Config.Labels).toMatchObject({
      [CONTAINER_LABELS.unit]: 'hello@2.service',
      [CONTAINER_LABELS.hash]: hash,
      [CONTAINER_LABELS.machine]: machineId,
    });
    await eventually(
      async () => {
        const lines: string[] = [];
        for await (const line of runtime.logs(id, { tail: 5 })) lines.push(line.text);
        return lines.includes('Hello 2');
      },
      { what: 'the container to print "Hello 2"' },
    );
    expect((await runtime.list()).map((c) => [c.unit, c.state])).toEqual([['hello@2.service', 'running']]);

    await runtime.stop(id, resolved.spec.stopTimeoutSec);
    await runtime.remove(id);
    expect(await runtime.list()).toEqual([]);
    await daemon.stop();
    expect(await daemon.processes()).toEqual([]);
  }, 90_000);
});
