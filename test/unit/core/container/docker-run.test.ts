import { describe, expect, it } from '@jest/globals';
import type { ContainerSpec } from '@fleet/core';
import { DEFAULTS, dockerRunUnit, errorsOf, specOf } from './resolve-helpers.js';

const tcp = (hostPort: number, containerPort: number) => ({ hostPort, containerPort, protocol: 'tcp' as const });

describe('docker run flags', () => {
  it('the image alone gives the defaults', () => {
    expect(specOf(dockerRunUnit('busybox'))).toEqual({ ...DEFAULTS, image: 'busybox' });
  });

  it.each<[string, Partial<ContainerSpec>]>([
    ['--name hello busybox', { name: 'hello' }],
    ['--name=hello busybox', { name: 'hello' }],
    ['--name a --name b busybox', { name: 'b' }],
    ['--rm busybox', {}],
    ['--rm=true busybox', {}],
    ['--rm=false busybox', {}],
    ['-p 8080:80 busybox', { ports: [tcp(8080, 80)] }],
    ['-p8080:80 busybox', { ports: [tcp(8080, 80)] }],
    ['-p=8080:80 busybox', { ports: [tcp(8080, 80)] }],
    ['--publish 8080:80 busybox', { ports: [tcp(8080, 80)] }],
    ['--publish=8080:80 -p 53:53/udp busybox', { ports: [tcp(8080, 80), { hostPort: 53, containerPort: 53, protocol: 'udp' }] }],
    ['-e A=1 --env B=2 --env=C=3 -eD=4 -e=E=5 busybox', { env: ['A=1', 'B=2', 'C=3', 'D=4', 'E=5'] }],
    ['-e "A=hello world" busybox', { env: ['A=hello world'] }],
    ['-v /a:/b --volume=/c:/d:ro --volume /e busybox', { volumes: ['/a:/b', '/c:/d:ro', '/e'] }],
    ['-w /app busybox', { workingDir: '/app' }],
    ['--workdir=/app busybox', { workingDir: '/app' }],
    ['-u 1000 busybox', { user: '1000' }],
    ['--user=nobody busybox', { user: 'nobody' }],
    ['--entrypoint /bin/sh busybox', { entrypoint: ['/bin/sh'] }],
    ['--entrypoint= busybox', { entrypoint: [''] }],
    ['--entrypoint "" busybox', { entrypoint: [''] }],
    ['--net host busybox', { network: 'host' }],
    ['--net=none busybox', { network: 'none' }],
    ['--network my-net busybox', { network: 'my-net' }],
    ['--network=container:other busybox', { network: 'container:other' }],
    ['-h box busybox', { hostname: 'box' }],
    ['--hostname=box busybox', { hostname: 'box' }],
    ['-m 256m busybox', { memoryBytes: 256 * 1024 * 1024 }],
    ['--memory=1g busybox', { memoryBytes: 1024 ** 3 }],
    ['--cpus 0.5 busybox', { nanoCpus: 500_000_000 }],
    ['--cpus=2 busybox', { nanoCpus: 2_000_000_000 }],
    ['-l a=b --label c=d --label=e busybox', { labels: { a: 'b', c: 'd', e: '' } }],
    ['-i -t busybox', {}],
    ['-it busybox', {}],
    ['-ti busybox', {}],
    ['--interactive --tty busybox', {}],
    ['-i=false busybox', {}],
    ['-d=false busybox', {}],
    ['--detach=false busybox', {}],
    ['-itp 8080:80 busybox', { ports: [tcp(8080, 80)] }],
    ['-tip8080:80 busybox', { ports: [tcp(8080, 80)] }],
    [
      '--health-cmd "wget -q -O- localhost" --health-interval 5s --health-timeout=1s --health-retries 2 --health-start-period=0s busybox',
      {
        health: {
          test: ['CMD-SHELL', 'wget -q -O- localhost'],
          intervalMs: 5000,
          timeoutMs: 1000,
          retries: 2,
          startPeriodMs: 0,
        },
      },
    ],
    ['--no-healthcheck busybox', { health: { test: ['NONE'] } }],
    ['--pull never busybox', { pull: 'never' }],
    ['--pull=always busybox', { pull: 'always' }],
    ['--name x -- busybox', { name: 'x' }],
    ['-- -weird-image', { image: '-weird-image' }],
    ['busybox echo hi', { cmd: ['echo', 'hi'] }],
    ['busybox ls -la --name x', { cmd: ['ls', '-la', '--name', 'x'] }],
    ['--name=a busybox -- x', { name: 'a', cmd: ['--', 'x'] }],
    ['--name -dash busybox', { name: '-dash' }],
    [
      `--name hello busybox /bin/sh -c "trap 'exit 0' TERM; while true; do echo hi; sleep 1; done"`,
      { name: 'hello', cmd: ['/bin/sh', '-c', "trap 'exit 0' TERM; while true; do echo hi; sleep 1; done"] },
    ],
    [`busybox echo 'single "quoted"' "double 'quoted'" a\\ b \\"c`, { cmd: ['echo', 'single "quoted"', "double 'quoted'", 'a b', '"c'] }],
    ['busybox echo "a \\"b\\" \\\\ \\$HOME"', { cmd: ['echo', 'a "b" \\ $HOME'] }],
  ])('docker run %s', (args, expected) => {
    expect(specOf(dockerRunUnit(args))).toEqual({ ...DEFAULTS, image: 'busybox', ...expected });
  });

  it.each(['/usr/bin/docker run', '/bin/docker run', '/usr/local/bin/docker run', 'docker run', 'docker container run'])(
    'finds the client as %s',
    (command) => {
      expect(specOf(`[Service]\nExecStart=${command} --name x busybox\n`)).toEqual({
        ...DEFAULTS,
        image: 'busybox',
        name: 'x',
      });
    },
  );

  it('reads systemd line continuations as blanks, also inside quotes', () => {
    const unit = [
      '[Service]',
      'ExecStart=/usr/bin/docker run \\',
      '  --name hello \\',
      '  -p 8080:80 \\',
      '  busybox /bin/sh -c "echo a;\\',
      '  echo b"',
      '',
    ].join('\n');
    expect(specOf(unit)).toEqual({
      ...DEFAULTS,
      image: 'busybox',
      name: 'hello',
      ports: [tcp(8080, 80)],
      cmd: ['/bin/sh', '-c', 'echo a;   echo b'],
    });
  });
});

describe('docker run errors', () => {
  it.each<[string, string]>([
    ['--privileged busybox', '[Service] ExecStart: docker run flag "--privileged" is not supported'],
    ['--restart=always busybox', '[Service] ExecStart: docker run flag "--restart" is not supported'],
    ['--env-file /etc/x busybox', '[Service] ExecStart: docker run flag "--env-file" is not supported'],
    ['-P busybox', '[Service] ExecStart: docker run flag "-P" is not supported'],
    ['-itx busybox', '[Service] ExecStart: docker run flag "-x" is not supported'],
    ['-d busybox', '[Service] ExecStart: docker run flag "-d" is not supported (fleet units run in the foreground)'],
    ['-itd busybox', '[Service] ExecStart: docker run flag "-d" is not supported (fleet units run in the foreground)'],
    ['-d=true busybox', '[Service] ExecStart: docker run flag "-d" is not supported (fleet units run in the foreground)'],
    ['--detach busybox', '[Service] ExecStart: docker run flag "--detach" is not supported (fleet units run in the foreground)'],
    ['--rm=maybe busybox', '[Service] ExecStart: docker run flag "--rm" expects true or false, got "maybe"'],
    ['--name', '[Service] ExecStart: docker run flag "--name" needs a value'],
    ['-p', '[Service] ExecStart: docker run flag "-p" needs a value'],
    ['-itp', '[Service] ExecStart: docker run flag "-p" needs a value'],
    ['--rm', '[Service] ExecStart: docker run needs an image'],
    ['', '[Service] ExecStart: docker run needs an image'],
    ['--name x --', '[Service] ExecStart: docker run needs an image'],
    ['"" echo', '[Service] ExecStart: docker run needs an image'],
    ['-e FOO busybox', '[Service] ExecStart: docker run -e: expected KEY=value, got "FOO"'],
    ['--env=FOO busybox', '[Service] ExecStart: docker run --env: expected KEY=value, got "FOO"'],
    ['-p 80:x busybox', '[Service] ExecStart: docker run -p: invalid container port "x" in "80:x"'],
    ['-v data busybox', '[Service] ExecStart: docker run -v: invalid volume "data" (expected [source:]/container/path[:options])'],
    ['-w app busybox', '[Service] ExecStart: docker run -w: must be an absolute path, got "app"'],
    ['--memory=lots busybox', '[Service] ExecStart: docker run --memory: invalid size "lots" (bytes, or a number with a k, m or g suffix)'],
    ['--cpus=x busybox', '[Service] ExecStart: docker run --cpus: invalid number of CPUs "x"'],
    ['-l =x busybox', '[Service] ExecStart: docker run -l: expected key=value, got "=x"'],
    ['--health-cmd true --health-interval=soon busybox', '[Service] ExecStart: docker run --health-interval: invalid duration "soon"'],
    ['--health-cmd true --health-retries x busybox', '[Service] ExecStart: docker run --health-retries: invalid count "x"'],
    ['--health-interval 5s busybox', '[Service] ExecStart: docker run --health-interval needs --health-cmd'],
    ['--pull sometimes busybox', '[Service] ExecStart: docker run --pull: invalid value "sometimes" (expected always, missing, never)'],
    ['busybox echo "oops', '[Service] ExecStart: unterminated double quote'],
    ["busybox echo 'oops", '[Service] ExecStart: unterminated single quote'],
    ['--name %x busybox', '[Service] ExecStart: unknown specifier "%x" (known: %n %N %p %i %m %H %%)'],
  ])('docker run %s', (args, error) => {
    expect(errorsOf(dockerRunUnit(args))).toEqual([error]);
  });

  it('collects every bad value but stops at an unsupported flag', () => {
    expect(errorsOf(dockerRunUnit('-e X -m 0 -d --privileged -e Y busybox'))).toEqual([
      '[Service] ExecStart: docker run -e: expected KEY=value, got "X"',
      '[Service] ExecStart: docker run -m: size must be positive, got "0"',
      '[Service] ExecStart: docker run flag "-d" is not supported (fleet units run in the foreground)',
      '[Service] ExecStart: docker run flag "--privileged" is not supported',
    ]);
  });

  it.each<[string, string]>([
    ['/bin/sleep 100', '[Service] ExecStart=/bin/sleep 100: not a docker run command (fleet runs containers, not host commands)'],
    ['/usr/bin/docker ps', '[Service] ExecStart=/usr/bin/docker ps: not a docker run command (fleet runs containers, not host commands)'],
    ['/usr/bin/docker', '[Service] ExecStart=/usr/bin/docker: not a docker run command (fleet runs containers, not host commands)'],
    [
      '/opt/bin/docker run busybox',
      '[Service] ExecStart=/opt/bin/docker run busybox: not a docker run command (fleet runs containers, not host commands)',
    ],
    [
      '/usr/bin/docker -H tcp://x run busybox',
      '[Service] ExecStart=/usr/bin/docker -H tcp://x run busybox: not a docker run command (fleet runs containers, not host commands)',
    ],
    [
      '-/usr/bin/docker run busybox',
      '[Service] ExecStart=-/usr/bin/docker run busybox: command prefixes ("-", "@", ":", "+", "!") are not supported on ExecStart',
    ],
  ])('ExecStart=%s', (line, error) => {
    expect(errorsOf(`[Service]\nExecStart=${line}\n`)).toEqual([error]);
  });

  it('refuses two ExecStart= lines', () => {
    expect(errorsOf(dockerRunUnit('busybox', 'ExecStart=/usr/bin/docker run alpine'))).toEqual([
      '[Service] ExecStart: given 2 times, but a unit runs one container',
    ]);
  });

  it('an empty ExecStart= clears the earlier ones, as in systemd', () => {
    expect(specOf(dockerRunUnit('busybox', 'ExecStart=', 'ExecStart=/usr/bin/docker run alpine'))).toEqual({
      ...DEFAULTS,
      image: 'alpine',
    });
  });
});

describe('docker housekeeping lines', () => {
  it('understands the classic kill/rm/stop lines as no-ops', () => {
    const unit = dockerRunUnit(
      '--name hello busybox',
      'ExecStartPre=-/usr/bin/docker kill hello',
      'ExecStartPre=-/usr/bin/docker rm hello',
      'ExecStop=/usr/bin/docker stop hello',
      'ExecStopPost=-/usr/bin/docker rm -f hello',
    );
    expect(specOf(unit)).toEqual({ ...DEFAULTS, image: 'busybox', name: 'hello' });
  });

  it.each<[string, Partial<ContainerSpec>]>([
    ['ExecStartPre=/usr/bin/docker pull busybox', { pull: 'always' }],
    ['ExecStartPre=-/usr/bin/docker pull busybox:latest', { pull: 'always' }],
    ['ExecStartPre=docker pull -q busybox', { pull: 'always' }],
    ['ExecStop=/usr/bin/docker stop -t 5 hello', { stopTimeoutSec: 5 }],
    ['ExecStop=/usr/bin/docker stop --time=3 hello', { stopTimeoutSec: 3 }],
    ['ExecStop=/usr/bin/docker stop --time 4 hello', { stopTimeoutSec: 4 }],
    ['ExecStop=/usr/bin/docker stop -t7 hello', { stopTimeoutSec: 7 }],
    ['ExecStartPre=-/usr/bin/docker rm -fv hello', {}],
    ['ExecStartPre=-/usr/bin/docker rm --force --volumes hello', {}],
    ['ExecStartPre=/bin/docker container kill hello', {}],
    ['ExecStartPre=@/usr/bin/docker docker kill hello', {}],
    ['ExecStartPre=-+/usr/local/bin/docker kill hello', {}],
    ['ExecStopPost=!docker rm hello hello', {}],
  ])('%s', (line, expected) => {
    expect(specOf(dockerRunUnit('--name hello busybox', line))).toEqual({
      ...DEFAULTS,
      image: 'busybox',
      name: 'hello',
      ...expected,
    });
  });

  it('docker stop -t wins over TimeoutStopSec=', () => {
    const unit = dockerRunUnit('--name hello busybox', 'TimeoutStopSec=30', 'ExecStop=/usr/bin/docker stop -t 2 hello');
    expect(specOf(unit).stopTimeoutSec).toBe(2);
  });

  it('matches names after specifier expansion', () => {
    const unit = dockerRunUnit('--name %p-%i busybox', 'ExecStartPre=-/usr/bin/docker kill %p-%i', 'ExecStop=/usr/bin/docker stop hello-2');
    expect(specOf(unit, 'hello@2.service').name).toBe('hello-2');
  });

  const refused = (line: string): string =>
    `[Service] ${line}: not supported: fleet runs containers, not host commands ` +
    "(only docker kill, rm or stop of this unit's container and docker pull of its image are understood)";

  it.each([
    'ExecStartPre=-/usr/bin/docker kill other',
    'ExecStartPre=-/usr/bin/docker rm hello other',
    'ExecStartPre=-/usr/bin/docker rm -x hello',
    'ExecStartPre=/usr/bin/docker kill',
    'ExecStartPre=/usr/bin/docker pull alpine',
    'ExecStartPre=/usr/bin/docker pull busybox alpine',
    'ExecStartPre=/usr/bin/docker exec hello ls',
    'ExecStartPre=/usr/bin/etcdctl set /hello up',
    'ExecStartPost=+/bin/echo started',
    'ExecStopPost=!/bin/true',
    'ExecStop=/usr/bin/docker stop -t soon hello',
    'ExecStop=/usr/bin/docker stop -s KILL hello',
    'ExecStop=/usr/bin/docker stop "hello',
  ])('refuses %s', (line) => {
    expect(errorsOf(dockerRunUnit('--name hello busybox', line))).toEqual([refused(line)]);
  });

  it('refuses kill/rm/stop when the container has no name', () => {
    const line = 'ExecStartPre=-/usr/bin/docker kill hello';
    expect(errorsOf(dockerRunUnit('busybox', line))).toEqual([refused(line)]);
  });

  it('names each bad line as written, before expansion', () => {
    const line = 'ExecStartPre=/usr/bin/touch /tmp/%n';
    expect(errorsOf(dockerRunUnit('--name hello busybox', line, 'ExecStopPost=/bin/rm /tmp/x'))).toEqual([
      refused(line),
      refused('ExecStopPost=/bin/rm /tmp/x'),
    ]);
  });

  it('an empty value clears the earlier lines of that key', () => {
    const unit = dockerRunUnit('--name hello busybox', 'ExecStartPre=/bin/touch /x', 'ExecStartPre=');
    expect(specOf(unit).name).toBe('hello');
  });
});
