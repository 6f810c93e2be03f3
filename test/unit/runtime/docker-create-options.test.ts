import { describe, expect, it } from '@jest/globals';
import { CONTAINER_LABELS, type ContainerSpec } from '@fleet/core';
import { containerNameFor, dockerCreateOptions } from '../../../packages/runtime/src/docker-create-options.js';

const MACHINE = '0123456789abcdef0123456789abcdef';
const HASH = 'f'.repeat(40);

const minimal: ContainerSpec = {
  image: 'fleet-test/busybox:1',
  env: [],
  ports: [],
  volumes: [],
  labels: {},
  pull: 'never',
  restart: 'always',
  restartSecMs: 100,
  stopTimeoutSec: 10,
  startTimeoutMs: 0,
};

describe('containerNameFor', () => {
  it.each([
    ['hello.service', 'fleet-hello.service'],
    ['web@1.service', 'fleet-web_1.service'],
    ['web@.service', 'fleet-web_.service'],
    ['a:b\\x2d.service', 'fleet-a_b_x2d.service'],
    ['Under_score-dash.service', 'fleet-Under_score-dash.service'],
  ])('%s → %s', (unit, name) => {
    expect(containerNameFor(unit)).toBe(name);
    expect(name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
  });
});

describe('dockerCreateOptions', () => {
  it('leaves out what the spec leaves out, so image and Docker defaults apply', () => {
    expect(dockerCreateOptions('hello.service', HASH, MACHINE, minimal)).toEqual({
      name: 'fleet-hello.service',
      Image: 'fleet-test/busybox:1',
      Env: [],
      Labels: { [CONTAINER_LABELS.unit]: 'hello.service', [CONTAINER_LABELS.hash]: HASH, [CONTAINER_LABELS.machine]: MACHINE },
      StopTimeout: 10,
      HostConfig: {},
    });
  });

  it('maps every field, and never hands Restart= to Docker', () => {
    const options = dockerCreateOptions('web@1.service', HASH, MACHINE, {
      ...minimal,
      cmd: ['-c', 'run'],
      entrypoint: ['/bin/sh'],
      env: ['A=1', 'A=2'],
      ports: [
        { containerPort: 80, protocol: 'tcp', hostPort: 8080 },
        { containerPort: 80, protocol: 'tcp', hostPort: 8081, hostIp: '127.0.0.1' },
        { containerPort: 53, protocol: 'udp', hostPort: 0 },
      ],
      volumes: ['/srv:/data:ro', 'named:/cache', '/anon'],
      labels: { team: 'a', [CONTAINER_LABELS.unit]: 'forged.service' },
      network: 'host',
      user: 'nobody',
      workingDir: '/w',
      hostname: 'h1',
      name: 'explicit',
      memoryBytes: 1024,
      nanoCpus: 1_500_000_000,
      health: { test: ['CMD', 'true'], intervalMs: 1500, timeoutMs: 2, retries: 3, startPeriodMs: 0 },
    });
    expect(options).toEqual({
      name: 'explicit',
      Image: 'fleet-test/busybox:1',
      Cmd: ['-c', 'run'],
      Entrypoint: ['/bin/sh'],
      Env: ['A=1', 'A=2'],
      Labels: { team: 'a', [CONTAINER_LABELS.unit]: 'web@1.service', [CONTAINER_LABELS.hash]: HASH, [CONTAINER_LABELS.machine]: MACHINE },
      User: 'nobody',
      WorkingDir: '/w',
      Hostname: 'h1',
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Volumes: { '/anon': {} },
      Healthcheck: { Test: ['CMD', 'true'], Interval: 1_500_000_000, Timeout: 2_000_000, Retries: 3, StartPeriod: 0 },
      StopTimeout: 10,
      HostConfig: {
        PortBindings: {
          '80/tcp': [
            { HostIp: '', HostPort: '8080' },
            { HostIp: '127.0.0.1', HostPort: '8081' },
          ],
          '53/udp': [{ HostIp: '', HostPort: '' }],
        },
        Binds: ['/srv:/data:ro', 'named:/cache'],
        NetworkMode: 'host',
        Memory: 1024,
        NanoCpus: 1_500_000_000,
      },
    });
    expect(options.HostConfig?.RestartPolicy).toBeUndefined();
  });

  it('copies arrays, so later edits to the spec cannot change a request', () => {
    const spec = { ...minimal, env: ['A=1'], cmd: ['x'] };
    const options = dockerCreateOptions('a.service', HASH, MACHINE, spec);
    spec.env.push('B=2');
    spec.cmd.push('y');
    expect(options.Env).toEqual(['A=1']);
    expect(options.Cmd).toEqual(['x']);
  });
});
