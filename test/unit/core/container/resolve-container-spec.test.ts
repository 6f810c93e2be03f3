import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import {
  BOTH_CONTAINER_FORMS,
  ContainerSpecSchema,
  NOTHING_TO_RUN,
  parseUnitFile,
  resolveContainerSpec,
  validateContainerUnit,
  type UnitFile,
} from '@fleet/core';
import { DEFAULTS, MACHINE, containerUnit, dockerRunUnit, errorsOf, specOf } from './resolve-helpers.js';

describe('resolveContainerSpec', () => {
  it('expands specifiers for the instance (Exec=echo Hello %i in hello@2.service)', () => {
    expect(specOf(containerUnit('Exec=echo Hello %i'), 'hello@2.service').cmd).toEqual(['echo', 'Hello', '2']);
  });

  it('expands specifiers before splitting words, as systemd does', () => {
    const unit: UnitFile = {
      options: [
        { section: 'Container', name: 'Image', value: 'busybox' },
        { section: 'Container', name: 'Exec', value: 'echo %H "%H"' },
      ],
    };
    const resolution = resolveContainerSpec(unit, { unitName: 'x.service', machineId: 'm', hostname: 'two words' });
    expect(resolution).toEqual({
      ok: true,
      spec: { ...DEFAULTS, image: 'busybox', cmd: ['echo', 'two', 'words', 'two words'] },
    });
  });

  it('expands every specifier in [Container] values', () => {
    const spec = specOf(
      containerUnit('ContainerName=%p-%i', 'HostName=%H', 'Label=unit=%n name=%N machine=%m pct=100%%'),
      'web@blue.service',
    );
    expect(spec).toMatchObject({
      name: 'web-blue',
      hostname: 'node-1',
      labels: { unit: 'web@blue.service', name: 'web@blue', machine: MACHINE.machineId, pct: '100%' },
    });
  });

  it('keeps labels to the ones the unit gives', () => {
    expect(specOf(containerUnit('Label=a=b')).labels).toEqual({ a: 'b' });
    expect(specOf(containerUnit()).labels).toEqual({});
  });

  it('ignores [Unit], [Install] and X- sections', () => {
    const unit = [
      '[Unit]',
      'Description=x',
      'After=docker.service',
      '[X-Fleet]',
      'MachineOf=%I',
      '[X-Custom]',
      'Anything=%q',
      '[Install]',
      'WantedBy=multi-user.target',
      containerUnit(),
    ].join('\n');
    expect(specOf(unit)).toEqual({ ...DEFAULTS, image: 'busybox' });
  });

  it('refuses other sections', () => {
    expect(errorsOf(`[Timer]\nOnCalendar=daily\n${containerUnit()}`)).toEqual([
      'section [Timer] is not supported (a fleet unit runs a container: use [Unit], [Service], [Container], [X-Fleet] or [Install])',
    ]);
  });

  it.each<[string, string]>([
    ['an empty unit', ''],
    ['a unit with only [Unit]', '[Unit]\nDescription=nothing\n'],
    ['a [Service] without ExecStart', '[Service]\nRestart=always\n'],
  ])('refuses %s with a hint', (_name, text) => {
    expect(errorsOf(text)).toEqual([NOTHING_TO_RUN]);
    expect(NOTHING_TO_RUN).toBe(
      'unit has nothing to run: add a [Container] section with Image=, or ExecStart=/usr/bin/docker run IMAGE',
    );
  });

  it('refuses a [Container] section together with ExecStart=', () => {
    expect(errorsOf(`${containerUnit()}[Service]\nExecStart=/usr/bin/docker run busybox\n`)).toEqual([BOTH_CONTAINER_FORMS]);
    expect(BOTH_CONTAINER_FORMS).toBe('unit has both a [Container] section and ExecStart=: use one of the two forms');
  });

  it('still reports the [Container] problems next to the two-forms error', () => {
    expect(errorsOf(`${containerUnit('Foo=1')}[Service]\nExecStart=/usr/bin/docker run busybox\n`)).toEqual([
      BOTH_CONTAINER_FORMS,
      '[Container] Foo: unknown key',
    ]);
  });

  it('understands housekeeping lines for a [Container] unit by its ContainerName=', () => {
    const unit = `${containerUnit('ContainerName=web')}[Service]\nExecStop=/usr/bin/docker stop web\nExecStartPre=/usr/bin/docker pull busybox\n`;
    expect(specOf(unit)).toEqual({ ...DEFAULTS, image: 'busybox', name: 'web', pull: 'always' });
    expect(errorsOf(`${containerUnit()}[Service]\nExecStop=/usr/bin/docker stop web\n`)).toEqual([
      "[Service] ExecStop=/usr/bin/docker stop web: not supported: fleet runs containers, not host commands (only docker kill, rm or stop of this unit's container and docker pull of its image are understood)",
    ]);
  });

  it('collects problems of every section in one answer', () => {
    const unit = ['[Service]', 'User=core', 'Restart=sometimes', '[Container]', 'Memory=x', ''].join('\n');
    expect(errorsOf(unit)).toEqual([
      '[Service] User: not supported for containers (use User= in [Container] or docker run -u)',
      '[Service] Restart: unsupported value "sometimes" (expected no, always, on-failure)',
      '[Container] Memory: invalid size "x" (bytes, or a number with a k, m or g suffix)',
      '[Container] Image= is required',
    ]);
  });

  it('gives the same spec for both forms of the same container', () => {
    const classic = dockerRunUnit(
      '--name web -p 8080:80 -e A=1 -v /srv:/srv:ro -l tier=front -w /srv -u 1000 --net host -h web -m 64m --cpus 0.5 --entrypoint /bin/sh --pull never busybox -c "httpd -f"',
      'Restart=always',
    );
    const quadlet = [
      '[Container]',
      'Image=busybox',
      'ContainerName=web',
      'PublishPort=8080:80',
      'Environment=A=1',
      'Volume=/srv:/srv:ro',
      'Label=tier=front',
      'WorkingDir=/srv',
      'User=1000',
      'Network=host',
      'HostName=web',
      'Memory=64m',
      'CPUs=0.5',
      'Entrypoint=/bin/sh',
      'Pull=never',
      'Exec=-c "httpd -f"',
      '[Service]',
      'Restart=always',
      '',
    ].join('\n');
    expect(specOf(quadlet)).toEqual(specOf(classic));
  });
});

describe('validateContainerUnit', () => {
  it('accepts a good unit, with %m and %H from a placeholder machine', () => {
    expect(validateContainerUnit(parseUnitFile(containerUnit('Exec=echo %m %H %i')), 'x@.service')).toEqual([]);
  });

  it('returns the resolver errors', () => {
    const unit = parseUnitFile(dockerRunUnit('-d busybox'));
    expect(validateContainerUnit(unit, 'x.service')).toEqual([
      '[Service] ExecStart: docker run flag "-d" is not supported (fleet units run in the foreground)',
    ]);
  });
});

const UNITS_DIR = new URL('../../../../units/', import.meta.url);
const unitFiles = readdirSync(UNITS_DIR).filter((f) => f.endsWith('.service')).sort();

describe('example units in units/', () => {
  it('are all there', () => {
    expect(unitFiles).toEqual(
      expect.arrayContaining([
        'conflict.0.service',
        'conflict.1.service',
        'global.service',
        'hello.service',
        'hello@.service',
        'ping.service',
        'pong.service',
        'web.service',
      ]),
    );
  });

  it.each(unitFiles)('%s resolves and validates', (file) => {
    const unit = parseUnitFile(readFileSync(new URL(file, UNITS_DIR), 'utf8'));
    const unitName = file.replace('@.', '@1.');
    const resolution = resolveContainerSpec(unit, { unitName, ...MACHINE });
    expect(resolution.ok ? [] : resolution.errors).toEqual([]);
    if (resolution.ok) ContainerSpecSchema.parse(resolution.spec);
    expect(validateContainerUnit(unit, file)).toEqual([]);
    expect(unit.options.some((o) => o.section === 'Unit' && o.name === 'Description')).toBe(true);
  });

  const load = (file: string) => parseUnitFile(readFileSync(new URL(file, UNITS_DIR), 'utf8'));
  const script = (body: string) => ['/bin/sh', '-c', `trap 'exit 0' INT TERM; while true; do ${body}; sleep 1; done`];

  it('hello.service is the classic docker form', () => {
    expect(resolveContainerSpec(load('hello.service'), { unitName: 'hello.service', ...MACHINE })).toEqual({
      ok: true,
      spec: { ...DEFAULTS, image: 'fleet-test/busybox:1', name: 'hello', cmd: script('echo Hello, World!') },
    });
  });

  it('hello@.service says hello with its instance', () => {
    expect(resolveContainerSpec(load('hello@.service'), { unitName: 'hello@7.service', ...MACHINE })).toEqual({
      ok: true,
      spec: { ...DEFAULTS, image: 'fleet-test/busybox:1', pull: 'never', cmd: script('echo Hello 7') },
    });
  });

  it('web.service publishes its port and has a health check', () => {
    const resolution = resolveContainerSpec(load('web.service'), { unitName: 'web.service', ...MACHINE });
    expect(resolution).toMatchObject({
      ok: true,
      spec: {
        ports: [{ hostPort: 8080, containerPort: 8080, protocol: 'tcp' }],
        health: { test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/'] },
        restart: 'always',
      },
    });
  });
});
