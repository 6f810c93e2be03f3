import { describe, expect, it } from '@jest/globals';
import type { ContainerSpec } from '@fleet/core';
import { DEFAULTS, containerUnit, errorsOf, specOf } from './resolve-helpers.js';

describe('[Container] keys', () => {
  it('Image= alone gives the defaults', () => {
    expect(specOf(containerUnit())).toEqual({ ...DEFAULTS, image: 'busybox' });
  });

  it.each<[string, string[], Partial<ContainerSpec>]>([
    ['Exec= is shell-split', ['Exec=echo "hello world" x'], { cmd: ['echo', 'hello world', 'x'] }],
    [
      'Exec= with a quoted script',
      [`Exec=/bin/sh -c "trap 'exit 0' TERM; while true; do echo hi; sleep 1; done"`],
      { cmd: ['/bin/sh', '-c', "trap 'exit 0' TERM; while true; do echo hi; sleep 1; done"] },
    ],
    ['Exec= with a line continuation', ['Exec=echo \\', '  a \\', '  b'], { cmd: ['echo', 'a', 'b'] }],
    ['Exec= last wins', ['Exec=echo a', 'Exec=echo b'], { cmd: ['echo', 'b'] }],
    ['an empty Exec= keeps the image default', ['Exec=echo a', 'Exec='], {}],
    ['Entrypoint= is one path', ['Entrypoint=/bin/my entry'], { entrypoint: ['/bin/my entry'] }],
    ['Entrypoint= as a JSON array', ['Entrypoint=["/bin/sh", "-c"]'], { entrypoint: ['/bin/sh', '-c'] }],
    [
      'Environment= holds several quoted words',
      ['Environment=A=1 "B=two words" C=\'x y\''],
      { env: ['A=1', 'B=two words', 'C=x y'] },
    ],
    ['Environment= accumulates', ['Environment=A=1', 'Environment=B=2'], { env: ['A=1', 'B=2'] }],
    ['an empty Environment= clears', ['Environment=A=1', 'Environment=', 'Environment=C=3'], { env: ['C=3'] }],
    ['Environment= keeps = in values', ['Environment=URL=a=b'], { env: ['URL=a=b'] }],
    ['PublishPort= host:container', ['PublishPort=8080:80'], { ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] }],
    ['PublishPort= container only', ['PublishPort=80'], { ports: [{ containerPort: 80, protocol: 'tcp' }] }],
    [
      'PublishPort= with IP and protocol',
      ['PublishPort=127.0.0.1:5353:53/udp'],
      { ports: [{ hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' }] },
    ],
    [
      'PublishPort= with IP and no host port',
      ['PublishPort=127.0.0.1::80'],
      { ports: [{ hostIp: '127.0.0.1', containerPort: 80, protocol: 'tcp' }] },
    ],
    ['PublishPort= with an empty host port', ['PublishPort=:80/sctp'], { ports: [{ containerPort: 80, protocol: 'sctp' }] }],
    [
      'PublishPort= with an IPv6 address',
      ['PublishPort=[::1]:8080:80'],
      { ports: [{ hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
    ],
    [
      'PublishPort= ranges expand',
      ['PublishPort=8000-8001:80-81'],
      {
        ports: [
          { hostPort: 8000, containerPort: 80, protocol: 'tcp' },
          { hostPort: 8001, containerPort: 81, protocol: 'tcp' },
        ],
      },
    ],
    [
      'PublishPort= accumulates',
      ['PublishPort=1:2', 'PublishPort=3:4'],
      {
        ports: [
          { hostPort: 1, containerPort: 2, protocol: 'tcp' },
          { hostPort: 3, containerPort: 4, protocol: 'tcp' },
        ],
      },
    ],
    [
      'Volume= accumulates, as written',
      ['Volume=/srv/data:/data:ro', 'Volume=named:/cache', 'Volume=/anonymous'],
      { volumes: ['/srv/data:/data:ro', 'named:/cache', '/anonymous'] },
    ],
    ['an empty Volume= clears', ['Volume=/a:/b', 'Volume='], {}],
    [
      'Label= words accumulate; a repeated key takes the later value',
      ['Label=a=1 "b=two words"', 'Label=a=3 c'],
      { labels: { a: '3', b: 'two words', c: '' } },
    ],
    ['Network=', ['Network=host'], { network: 'host' }],
    ['User=', ['User=1000:1000'], { user: '1000:1000' }],
    ['User= last wins', ['User=a', 'User=b'], { user: 'b' }],
    ['an empty User= unsets it', ['User=a', 'User='], {}],
    ['WorkingDir=', ['WorkingDir=/app'], { workingDir: '/app' }],
    ['HostName=', ['HostName=box'], { hostname: 'box' }],
    ['ContainerName=', ['ContainerName=web'], { name: 'web' }],
    ['Memory= in bytes', ['Memory=100000000'], { memoryBytes: 100_000_000 }],
    ['Memory= with m', ['Memory=512m'], { memoryBytes: 512 * 1024 * 1024 }],
    ['Memory= with g', ['Memory=1g'], { memoryBytes: 1024 ** 3 }],
    ['Memory= with k', ['Memory=64k'], { memoryBytes: 65536 }],
    ['CPUs=', ['CPUs=1.5'], { nanoCpus: 1_500_000_000 }],
    ['CPUs= below one', ['CPUs=0.25'], { nanoCpus: 250_000_000 }],
    [
      'Health* keys',
      [
        'HealthCmd=wget -q -O /dev/null http://localhost/',
        'HealthInterval=30s',
        'HealthTimeout=1m30s',
        'HealthRetries=3',
        'HealthStartPeriod=500ms',
      ],
      {
        health: {
          test: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost/'],
          intervalMs: 30_000,
          timeoutMs: 90_000,
          retries: 3,
          startPeriodMs: 500,
        },
      },
    ],
    ['HealthCmd= alone', ['HealthCmd=true'], { health: { test: ['CMD-SHELL', 'true'] } }],
    ['HealthInterval= in bare seconds', ['HealthCmd=true', 'HealthInterval=5'], { health: { test: ['CMD-SHELL', 'true'], intervalMs: 5000 } }],
    ['HealthCmd=none turns the image check off', ['HealthCmd=none'], { health: { test: ['NONE'] } }],
    ['Pull=always', ['Pull=always'], { pull: 'always' }],
    ['Pull=never', ['Pull=never'], { pull: 'never' }],
    ['Pull=missing', ['Pull=never', 'Pull=missing'], { pull: 'missing' }],
    ['an empty Pull= is the default', ['Pull=never', 'Pull='], { pull: 'missing' }],
    ['Image= last wins', ['Image=alpine:3'], { image: 'alpine:3' }],
  ])('%s', (_name, lines, expected) => {
    expect(specOf(containerUnit(...lines))).toEqual({ ...DEFAULTS, image: 'busybox', ...expected });
  });
});

describe('[Container] errors', () => {
  it.each<[string[], string]>([
    [['Privileged=true'], '[Container] Privileged: unknown key'],
    [['image=lower'], '[Container] image: unknown key'],
    [['Exec=echo "oops'], '[Container] Exec: unterminated double quote'],
    [["Environment='A=1"], '[Container] Environment: unterminated single quote'],
    [['Environment=FOO'], '[Container] Environment: expected KEY=value, got "FOO"'],
    [['Environment==x'], '[Container] Environment: expected KEY=value, got "=x"'],
    [['Label="=x"'], '[Container] Label: expected key=value, got "=x"'],
    [['PublishPort=8080:abc'], '[Container] PublishPort: invalid container port "abc" in "8080:abc"'],
    [['PublishPort=x:80'], '[Container] PublishPort: invalid host port "x" in "x:80"'],
    [['PublishPort=70000'], '[Container] PublishPort: invalid container port "70000" in "70000"'],
    [['PublishPort=0:80'], '[Container] PublishPort: invalid host port "0" in "0:80"'],
    [['PublishPort=80/xyz'], '[Container] PublishPort: invalid protocol "xyz" in "80/xyz"'],
    [['PublishPort=host:80:80'], '[Container] PublishPort: invalid host IP "host" in "host:80:80"'],
    [['PublishPort=::1:80:80'], '[Container] PublishPort: too many ":" (write an IPv6 address in brackets) in "::1:80:80"'],
    [['PublishPort=[::1:80:80'], '[Container] PublishPort: invalid host IP "[::1:80:80" in "[::1:80:80"'],
    [['PublishPort=[::1]:80'], '[Container] PublishPort: expected [ip]:hostPort:containerPort in "[::1]:80"'],
    [
      ['PublishPort=8000-8002:80-81'],
      '[Container] PublishPort: host ports "8000-8002" and container ports "80-81" differ in number in "8000-8002:80-81"',
    ],
    [['PublishPort=90-80'], '[Container] PublishPort: invalid container port "90-80" in "90-80"'],
    [['Volume=data'], '[Container] Volume: invalid volume "data" (expected [source:]/container/path[:options])'],
    [['Volume=/a:b'], '[Container] Volume: invalid volume "/a:b" (expected [source:]/container/path[:options])'],
    [['Volume=/a::ro'], '[Container] Volume: invalid volume "/a::ro" (expected [source:]/container/path[:options])'],
    [['Volume=/a:/b:ro:x'], '[Container] Volume: invalid volume "/a:/b:ro:x" (expected [source:]/container/path[:options])'],
    [['WorkingDir=app'], '[Container] WorkingDir: must be an absolute path, got "app"'],
    [['Memory=12x'], '[Container] Memory: invalid size "12x" (bytes, or a number with a k, m or g suffix)'],
    [['Memory=0'], '[Container] Memory: size must be positive, got "0"'],
    [['CPUs=many'], '[Container] CPUs: invalid number of CPUs "many"'],
    [['CPUs=0'], '[Container] CPUs: number of CPUs must be positive, got "0"'],
    [['CPUs=0.0000000001'], '[Container] CPUs: number of CPUs "0.0000000001" is too precise (at most 9 decimals)'],
    [['HealthCmd=true', 'HealthInterval=soon'], '[Container] HealthInterval: invalid duration "soon"'],
    [['HealthCmd=true', 'HealthTimeout=infinity'], '[Container] HealthTimeout: duration must be finite, got "infinity"'],
    [['HealthCmd=true', 'HealthRetries=-1'], '[Container] HealthRetries: invalid count "-1"'],
    [['HealthCmd=true', 'HealthStartPeriod=1x'], '[Container] HealthStartPeriod: invalid duration "1x"'],
    [['HealthInterval=5s'], '[Container] HealthInterval: needs HealthCmd'],
    [['HealthCmd=none', 'HealthRetries=2'], '[Container] HealthRetries: needs HealthCmd'],
    [['Pull=sometimes'], '[Container] Pull: invalid value "sometimes" (expected always, missing, never)'],
    [['Entrypoint=[1, 2]'], '[Container] Entrypoint: invalid JSON array of strings "[1, 2]"'],
    [['Entrypoint=[oops'], '[Container] Entrypoint: invalid JSON array of strings "[oops"'],
    [['Exec=echo %I'], '[Container] Exec: unknown specifier "%I" (known: %n %N %p %i %m %H %%)'],
    [['Image='], '[Container] Image= is required'],
  ])('%j → %s', (lines, error) => {
    expect(errorsOf(containerUnit(...lines))).toEqual([error]);
  });

  it('a missing Image= is named', () => {
    expect(errorsOf('[Container]\nExec=echo hi\n')).toEqual(['[Container] Image= is required']);
  });

  it('an Image= with a bad specifier is reported once, not also as missing', () => {
    expect(errorsOf('[Container]\nImage=busybox:%v\n')).toEqual([
      '[Container] Image: unknown specifier "%v" (known: %n %N %p %i %m %H %%)',
    ]);
  });

  it('collects every problem, in file order', () => {
    expect(
      errorsOf(['[Container]', 'Memory=lots', 'Privileged=true', 'PublishPort=x', 'HealthRetries=2', ''].join('\n')),
    ).toEqual([
      '[Container] Memory: invalid size "lots" (bytes, or a number with a k, m or g suffix)',
      '[Container] Privileged: unknown key',
      '[Container] PublishPort: invalid container port "x" in "x"',
      '[Container] Image= is required',
      '[Container] HealthRetries: needs HealthCmd',
    ]);
  });
});
