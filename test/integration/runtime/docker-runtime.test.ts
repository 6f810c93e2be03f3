import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTAINER_LABELS, type ContainerSpec } from '@fleet/core';
import {
  DockerConflictError,
  DockerNotFoundError,
  DockerRuntime,
  DockerUnavailableError,
  ImageNotFoundError,
  ImagePullError,
  type ContainerEvent,
  type LogLine,
} from '@fleet/runtime';
import {
  buildTestImage,
  type DockerDaemon,
  eventually,
  freePort,
  startDockerd,
  stopAllDockerds,
  TEST_IMAGE,
} from '@fleet/testkit';

const M1 = '11111111111111111111111111111111';
const M2 = '22222222222222222222222222222222';
const HASH = 'a'.repeat(40);

function spec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    image: TEST_IMAGE,
    cmd: ['sleep', '300'],
    env: [],
    ports: [],
    volumes: [],
    labels: {},
    pull: 'never',
    restart: 'no',
    restartSecMs: 100,
    // sleep as PID 1 ignores SIGTERM: keep stops short.
    stopTimeoutSec: 1,
    startTimeoutMs: 0,
    ...overrides,
  };
}

async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

function texts(lines: readonly LogLine[], stream: 'stdout' | 'stderr'): string[] {
  return lines.filter((l) => l.stream === stream).map((l) => l.text);
}

describe('DockerRuntime against a private dockerd', () => {
  let daemon: DockerDaemon;
  let runtime: DockerRuntime;
  let other: DockerRuntime;
  let hostDir: string;

  beforeAll(async () => {
    [daemon, hostDir] = await Promise.all([startDockerd({ name: 'rt' }), mkdtemp(join(tmpdir(), 'fleet-vol-'))]);
    await buildTestImage(daemon);
    runtime = new DockerRuntime(daemon.endpoint, M1);
    other = new DockerRuntime(daemon.endpoint, M2);
  });
  afterAll(async () => {
    await stopAllDockerds();
    await rm(hostDir, { recursive: true, force: true });
  });

  it('reports the engine facts', async () => {
    const info = await runtime.info();
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.cpus).toBeGreaterThan(0);
    expect(info.memoryBytes).toBeGreaterThan(0);
    expect(info.os).not.toBe('');
  });

  it('creates, starts, lists by label, inspects, stops and removes a container', async () => {
    const created = await runtime.create('web@1.service', HASH, spec());
    expect(created.name).toBe('fleet-web_1.service');

    const [fresh] = await runtime.list();
    expect(fresh).toEqual({ id: created.id, name: 'fleet-web_1.service', unit: 'web@1.service', hash: HASH, state: 'created', restartCount: 0 });

    const before = Date.now();
    await runtime.start(created.id);
    await runtime.start(created.id); // already running: no-op
    const running = await runtime.inspect(created.id);
    expect(running).toMatchObject({ state: 'running', unit: 'web@1.service', image: TEST_IMAGE });
    expect(running.pid).toBeGreaterThan(0);
    expect(running.startedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(running.exitCode).toBeUndefined();
    expect(running.labels[CONTAINER_LABELS.machine]).toBe(M1);

    await runtime.stop(created.id, 1);
    await runtime.stop(created.id, 1); // already stopped: no-op
    const [stopped] = await runtime.list();
    expect(stopped).toMatchObject({ id: created.id, state: 'exited', exitCode: 137 });
    expect(stopped!.finishedAt).toBeGreaterThanOrEqual(stopped!.startedAt!);

    await runtime.remove(created.id);
    await runtime.remove(created.id); // already gone: no-op
    expect(await runtime.list()).toEqual([]);
    await expect(runtime.inspect(created.id)).rejects.toBeInstanceOf(DockerNotFoundError);
    await expect(runtime.start(created.id)).rejects.toMatchObject({ code: 'DOCKER_NOT_FOUND', statusCode: 404 });
  });

  it('puts every spec field into the container Docker creates', async () => {
    const hostPort = await freePort();
    const full = spec({
      entrypoint: ['/bin/sh', '-c'],
      cmd: ['sleep 300'],
      env: ['A=1', 'B=two words'],
      ports: [
        { containerPort: 80, protocol: 'tcp', hostPort, hostIp: '127.0.0.1' },
        { containerPort: 53, protocol: 'udp' },
      ],
      volumes: [`${hostDir}:/data:ro`, '/scratch'],
      labels: { app: 'web', [CONTAINER_LABELS.machine]: 'forged' },
      network: 'bridge',
      user: '1000:1000',
      workingDir: '/work',
      hostname: 'web-one',
      name: 'custom-web',
      memoryBytes: 64 * 1024 * 1024,
      nanoCpus: 500_000_000,
      health: { test: ['CMD-SHELL', 'true'], intervalMs: 300, timeoutMs: 2000, retries: 2, startPeriodMs: 100 },
      stopTimeoutSec: 2,
    });
    const { id, name } = await runtime.create('full.service', HASH, full);
    expect(name).toBe('custom-web');
    const info = await daemon.docker.getContainer(id).inspect();
    expect(info.Name).toBe('/custom-web');
    expect(info.Config.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(info.Config.Cmd).toEqual(['sleep 300']);
    expect(info.Config.Env).toEqual(expect.arrayContaining(['A=1', 'B=two words']));
    expect(info.Config.Labels).toEqual({
      app: 'web',
      [CONTAINER_LABELS.unit]: 'full.service',
      [CONTAINER_LABELS.hash]: HASH,
      [CONTAINER_LABELS.machine]: M1,
    });
    expect(info.Config.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
    expect(info.HostConfig.PortBindings).toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }],
      '53/udp': [{ HostIp: '', HostPort: '' }],
    });
    expect(info.HostConfig.Binds).toEqual([`${hostDir}:/data:ro`]);
    expect(Object.keys(info.Config.Volumes ?? {})).toEqual(['/scratch']);
    expect(info.HostConfig.NetworkMode).toBe('bridge');
    expect(info.Config.User).toBe('1000:1000');
    expect(info.Config.WorkingDir).toBe('/work');
    expect(info.Config.Hostname).toBe('web-one');
    expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    expect(info.Config.Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'true'],
      Interval: 300_000_000,
      Timeout: 2_000_000_000,
      Retries: 2,
      StartPeriod: 100_000_000,
    });
    expect((info.Config as { StopTimeout?: number }).StopTimeout).toBe(2);
    // Restart= is the agent's job, never Docker's.
    expect(['', 'no']).toContain(info.HostConfig.RestartPolicy?.Name ?? '');

    await runtime.start(id);
    const started = await daemon.docker.getContainer(id).inspect();
    expect(started.NetworkSettings.Ports['80/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(hostPort) }]);
    expect(started.Mounts.find((m) => m.Destination === '/data')).toMatchObject({ Source: hostDir, RW: false });
    await eventually(async () => (await runtime.inspect(id)).health === 'healthy', { what: 'the health check to pass' });
    await runtime.remove(id);
  });

  it('streams start and die events with the exit code, for this machine only', async () => {
    const events: ContainerEvent[] = [];
    const connected: number[] = [];
    const abort = new AbortController();
    const done = runtime.events((e) => events.push(e), abort.signal, { onConnected: () => connected.push(Date.now()) });
    await eventually(() => connected.length === 1, { what: 'the event stream to connect' });

    const theirs = await other.create('exit.service', HASH, spec({ name: 'theirs-exit', cmd: ['sh', '-c', 'exit 5'] }));
    await other.start(theirs.id);
    const ours = await runtime.create('exit.service', HASH, spec({ cmd: ['sh', '-c', 'exit 3'] }));
    await runtime.start(ours.id);

    const die = await eventually(() => events.find((e) => e.action === 'die') ?? false, { what: 'the die event' });
    expect(die).toMatchObject({ containerId: ours.id, unit: 'exit.service', hash: HASH, exitCode: 3, name: 'fleet-exit.service' });
    expect(events.map((e) => e.action).slice(0, 3)).toEqual(['create', 'start', 'die']);
    expect(events.every((e) => e.containerId === ours.id)).toBe(true);
    expect(Math.abs(die.time - Date.now())).toBeLessThan(60_000);

    await runtime.remove(ours.id);
    await eventually(() => events.some((e) => e.action === 'destroy'), { what: 'the destroy event' });
    abort.abort();
    await done;
    await other.remove(theirs.id);
  });

  it('reads logs as demultiplexed lines, with tail, timestamps and follow', async () => {
    const { id } = await runtime.create('logs.service', HASH, spec({ cmd: ['sh', '-c', 'echo out1; echo err1 >&2; echo out2; printf partial'] }));
    await runtime.start(id);
    await eventually(async () => (await runtime.inspect(id)).state === 'exited', { what: 'the container to exit' });
    const all = await collect(runtime.logs(id));
    expect(texts(all, 'stdout')).toEqual(['out1', 'out2', 'partial']);
    expect(texts(all, 'stderr')).toEqual(['err1']);

    const stamped = await collect(runtime.logs(id, { timestamps: true }));
    expect(stamped.map((l) => l.text).sort()).toEqual(['err1', 'out1', 'out2', 'partial']);
    for (const l of stamped) expect(Math.abs(l.time! - Date.now())).toBeLessThan(60_000);
    await runtime.remove(id);

    const counted = await runtime.create('tail.service', HASH, spec({ cmd: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done'] }));
    await runtime.start(counted.id);
    await eventually(async () => (await runtime.inspect(counted.id)).state === 'exited', { what: 'the container to exit' });
    expect(texts(await collect(runtime.logs(counted.id, { tail: 2 })), 'stdout')).toEqual(['line4', 'line5']);
    await runtime.remove(counted.id);

    // follow ends when the container exits…
    const short = await runtime.create('follow.service', HASH, spec({ cmd: ['sh', '-c', 'echo a; sleep 1; echo b >&2; echo c'] }));
    await runtime.start(short.id);
    const followed = await collect(runtime.logs(short.id, { follow: true }));
    expect(texts(followed, 'stdout')).toEqual(['a', 'c']);
    expect(texts(followed, 'stderr')).toEqual(['b']);
    await runtime.remove(short.id);

    // …or when the caller aborts.
    const long = await runtime.create('forever.service', HASH, spec({ cmd: ['sh', '-c', 'echo first; exec sleep 300'] }));
    await runtime.start(long.id);
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const line of runtime.logs(long.id, { follow: true, signal: abort.signal })) {
      seen.push(line.text);
      abort.abort();
    }
    expect(seen).toEqual(['first']);
    await runtime.remove(long.id);
  });

  it('applies the pull policy, with typed errors carrying Docker’s message', async () => {
    await expect(runtime.ensureImage(TEST_IMAGE, 'never')).resolves.toEqual({ pulled: false });
    await expect(runtime.ensureImage(TEST_IMAGE, 'missing')).resolves.toEqual({ pulled: false });

    const missing = runtime.ensureImage('fleet-test/absent:1', 'never');
    await expect(missing).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(missing).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      image: 'fleet-test/absent:1',
      dockerMessage: expect.stringContaining('No such image: fleet-test/absent:1'),
    });

    // No registry is reachable from here: the pull must fail at once, not hang.
    const started = Date.now();
    const pull = runtime.ensureImage('fleet-test/nonexistent:1', 'always');
    await expect(pull).rejects.toBeInstanceOf(ImagePullError);
    await expect(pull).rejects.toMatchObject({ code: 'IMAGE_PULL_FAILED', dockerMessage: expect.any(String) });
    expect(((await pull.catch((e: unknown) => e)) as ImagePullError).dockerMessage).not.toBe('');
    expect(Date.now() - started).toBeLessThan(15_000);
    await expect(runtime.ensureImage('fleet-test/nonexistent:1', 'missing')).rejects.toBeInstanceOf(ImagePullError);

    await expect(runtime.create('noimage.service', HASH, spec({ image: 'fleet-test/absent:1' }))).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      dockerMessage: expect.stringContaining('No such image'),
    });
  });

  it('keeps machines sharing one daemon apart, and ignores containers fleet did not make', async () => {
    const foreign = await daemon.docker.createContainer({ Image: TEST_IMAGE, Cmd: ['true'], Labels: { [CONTAINER_LABELS.unit]: 'x.service' } });
    const mine = await runtime.create('shared.service', HASH, spec());
    await expect(other.create('shared.service', HASH, spec())).rejects.toBeInstanceOf(DockerConflictError);
    const theirs = await other.create('shared.service', 'b'.repeat(40), spec({ name: 'm2-shared' }));

    expect((await runtime.list()).map((c) => c.id)).toEqual([mine.id]);
    expect((await other.list()).map((c) => [c.id, c.hash])).toEqual([[theirs.id, 'b'.repeat(40)]]);
    await expect(runtime.inspect(theirs.id)).rejects.toBeInstanceOf(DockerNotFoundError);
    await expect(runtime.inspect(foreign.id)).rejects.toBeInstanceOf(DockerNotFoundError);

    await runtime.remove(mine.id);
    await other.remove(theirs.id);
    await foreign.remove();
  });

  it('reports an unreachable daemon as DOCKER_UNAVAILABLE', async () => {
    const nowhere = new DockerRuntime(`unix://${join(hostDir, 'no-such.sock')}`, M1);
    await expect(nowhere.list()).rejects.toBeInstanceOf(DockerUnavailableError);
    await expect(nowhere.ensureImage(TEST_IMAGE, 'always')).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
  });
});
