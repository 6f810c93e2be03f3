import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  bridgeExists,
  buildTestImage,
  copyImage,
  type DockerDaemon,
  isAlive,
  mountsUnder,
  type ProcessRef,
  startDockerd,
  stopAllDockerds,
  TEST_IMAGE,
} from '@fleet/testkit';

async function runSleeper(daemon: DockerDaemon, label: string): Promise<string> {
  const container = await daemon.docker.createContainer({
    Image: TEST_IMAGE,
    Cmd: ['sleep', '300'],
    Labels: { 'fleet.test': label },
    // sleep as PID 1 ignores SIGTERM: keep the stop short.
    StopTimeout: 1,
  });
  await container.start();
  return container.id;
}

async function leftovers(refs: readonly ProcessRef[]): Promise<ProcessRef[]> {
  const alive = await Promise.all(refs.map(async (r) => ((await isAlive(r)) ? [r] : [])));
  return alive.flat();
}

/** After teardown: no process, mount, bridge, directory or cgroup of the daemon remains. */
async function expectGone(daemon: DockerDaemon, refs: readonly ProcessRef[]): Promise<void> {
  expect(await leftovers(refs)).toEqual([]);
  expect(daemon.process.hasExited()).toBe(true);
  expect(await mountsUnder(daemon.rootDir)).toEqual([]);
  expect(await bridgeExists(daemon.bridge.name)).toBe(false);
  expect(existsSync(daemon.rootDir)).toBe(false);
  expect(existsSync(`/sys/fs/cgroup/pids${daemon.cgroupParent}`)).toBe(false);
}

function commands(refs: readonly ProcessRef[]): string[] {
  return refs.map((r) => r.command.split(' ')[0]!.split('/').at(-1)!);
}

describe('private dockerd harness', () => {
  let a: DockerDaemon;
  let b: DockerDaemon;
  let c: DockerDaemon;
  const containers = new Map<string, string>();

  beforeAll(async () => {
    [a, b, c] = await Promise.all([startDockerd({ name: 'a' }), startDockerd({ name: 'b' }), startDockerd({ name: 'c' })]);
  });
  afterAll(async () => {
    await stopAllDockerds();
  });

  it('runs three daemons side by side, each with its own socket, dirs, bridge, subnet and cgroup', async () => {
    expect(a.endpoint).toBe(`unix://${a.socketPath}`);
    for (const key of ['socketPath', 'rootDir', 'cgroupParent'] as const) {
      expect(new Set([a[key], b[key], c[key]]).size).toBe(3);
    }
    expect(new Set([a, b, c].map((d) => d.bridge.name)).size).toBe(3);
    expect(new Set([a, b, c].map((d) => d.bridge.subnet)).size).toBe(3);
    expect(a.bridge.name.length).toBeLessThanOrEqual(15);
    expect(`${a.execRoot}/containerd/containerd.sock`.length).toBeLessThan(100);
    for (const d of [a, b, c]) {
      expect(await bridgeExists(d.bridge.name)).toBe(true);
      const info = await d.docker.info();
      expect(info.DockerRootDir).toBe(d.dataRoot);
      expect(info.CgroupDriver).toBe('cgroupfs');
    }
  });

  it('builds the busybox image in one daemon and copies it to the others', async () => {
    await buildTestImage(a);
    await Promise.all([copyImage(a, b), copyImage(a, c)]);
    const [imageA, imageB, imageC] = await Promise.all([a, b, c].map((d) => d.docker.getImage(TEST_IMAGE).inspect()));
    expect(imageB!.Id).toBe(imageA!.Id);
    expect(imageC!.Id).toBe(imageA!.Id);
    expect(imageA!.Config.Env).toContain('PATH=/bin');
  });

  it('runs a container in each daemon on its own bridge, and each lists only its own', async () => {
    for (const [d, key] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) containers.set(key, await runSleeper(d, key));
    for (const [d, key] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) {
      const listed = await d.docker.listContainers({ all: true });
      expect(listed.map((c) => c.Id)).toEqual([containers.get(key)]);
      const inspected = await d.docker.getContainer(containers.get(key)!).inspect();
      expect(inspected.State.Running).toBe(true);
      expect(inspected.NetworkSettings.Networks['bridge']?.Gateway).toBe(d.bridge.gateway);
      expect(inspected.NetworkSettings.Networks['bridge']?.IPAddress.startsWith(d.bridge.gateway.replace(/\.1$/, '.'))).toBe(true);
    }
  });

  it('stops two daemons, leaving nothing of theirs behind and the third daemon untouched', async () => {
    const refsA = await a.processes();
    const refsB = await b.processes();
    for (const refs of [refsA, refsB]) {
      expect(commands(refs)).toEqual(expect.arrayContaining(['dockerd', 'containerd', 'containerd-shim-runc-v2', 'sleep']));
    }
    // Nothing is shared: a daemon's processes are its own.
    expect(refsA.filter((r) => refsB.some((o) => o.pid === r.pid))).toEqual([]);
    await Promise.all([a.stop(), b.stop()]);
    await expectGone(a, refsA);
    await expectGone(b, refsB);
    const survivor = await c.docker.getContainer(containers.get('c')!).inspect();
    expect(survivor.State.Running).toBe(true);
    expect(await bridgeExists(c.bridge.name)).toBe(true);
  });

  it('kill() takes down dockerd, containerd, shims and containers at once and cleans up', async () => {
    const refs = await c.processes();
    expect(commands(refs)).toEqual(expect.arrayContaining(['dockerd', 'containerd', 'containerd-shim-runc-v2', 'sleep']));
    expect((await mountsUnder(c.rootDir)).length).toBeGreaterThan(0);
    // containerd 1.6 names a shim's socket sha256(<containerd socket>/<namespace>/<container id>).
    const shimSocket = `/run/containerd/s/${createHash('sha256')
      .update(`${c.execRoot}/containerd/containerd.sock/moby/${containers.get('c')!}`)
      .digest('hex')}`;
    expect(existsSync(shimSocket)).toBe(true);
    await c.kill();
    expect(await c.process.exited).toBe('SIGKILL');
    await expectGone(c, refs);
    // A SIGKILLed shim cannot remove its own socket; the harness does.
    expect(existsSync(shimSocket)).toBe(false);
  });
});
