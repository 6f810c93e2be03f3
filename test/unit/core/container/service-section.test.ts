import { describe, expect, it } from '@jest/globals';
import type { ContainerSpec } from '@fleet/core';
import { DEFAULTS, containerUnit, dockerRunUnit, errorsOf, specOf } from './resolve-helpers.js';

type ServiceFields = Pick<ContainerSpec, 'restart' | 'restartSecMs' | 'stopTimeoutSec' | 'startTimeoutMs'>;

const serviceOf = (...lines: string[]): ServiceFields => {
  const { restart, restartSecMs, stopTimeoutSec, startTimeoutMs } = specOf(dockerRunUnit('busybox', ...lines));
  return { restart, restartSecMs, stopTimeoutSec, startTimeoutMs };
};

const defaults: ServiceFields = { restart: 'no', restartSecMs: 100, stopTimeoutSec: 10, startTimeoutMs: 0 };

describe('[Service] keys', () => {
  it.each<[string[], Partial<ServiceFields>]>([
    [[], {}],
    [['Restart=always'], { restart: 'always' }],
    [['Restart=on-failure'], { restart: 'on-failure' }],
    [['Restart=always', 'Restart=no'], { restart: 'no' }],
    [['Restart=always', 'Restart='], { restart: 'no' }],
    [['RestartSec=5'], { restartSecMs: 5000 }],
    [['RestartSec=500ms'], { restartSecMs: 500 }],
    [['RestartSec=1min 30s'], { restartSecMs: 90_000 }],
    [['RestartSec=0'], { restartSecMs: 0 }],
    [['RestartSec=5', 'RestartSec='], { restartSecMs: 100 }],
    [['TimeoutStopSec=30'], { stopTimeoutSec: 30 }],
    [['TimeoutStopSec=1500ms'], { stopTimeoutSec: 2 }],
    [['TimeoutStopSec=2min'], { stopTimeoutSec: 120 }],
    [['TimeoutStartSec=0'], { startTimeoutMs: 0 }],
    [['TimeoutStartSec=infinity'], { startTimeoutMs: 0 }],
    [['TimeoutStartSec=90'], { startTimeoutMs: 90_000 }],
    [['TimeoutStartSec=2min'], { startTimeoutMs: 120_000 }],
    [['TimeoutSec=20'], { startTimeoutMs: 20_000, stopTimeoutSec: 20 }],
    [['TimeoutSec=20', 'TimeoutStopSec=5'], { startTimeoutMs: 20_000, stopTimeoutSec: 5 }],
    [['TimeoutStopSec=5', 'TimeoutSec=20'], { startTimeoutMs: 20_000, stopTimeoutSec: 20 }],
    [['Type=simple'], {}],
    [['Type=exec'], {}],
    [['Type=notify'], {}],
    [['Type=idle'], {}],
    [['RemainAfterExit=yes', 'KillMode=none', 'StandardOutput=journal', 'SyslogIdentifier=x', 'MemoryLimit=1G'], {}],
    [['StartLimitIntervalSec=0', 'StartLimitBurst=3', 'LimitNOFILE=65536', 'Slice=machine.slice', 'Nice=5'], {}],
  ])('%j', (lines, expected) => {
    expect(serviceOf(...lines)).toEqual({ ...defaults, ...expected });
  });

  it('applies to [Container] units too', () => {
    const unit = `${containerUnit()}\n[Service]\nRestart=on-failure\nRestartSec=2s\nTimeoutStopSec=3\n`;
    expect(specOf(unit)).toEqual({
      ...DEFAULTS,
      image: 'busybox',
      restart: 'on-failure',
      restartSecMs: 2000,
      stopTimeoutSec: 3,
    });
  });

  it('expands specifiers in its values', () => {
    expect(specOf(dockerRunUnit('busybox', 'RestartSec=%i'), 'x@3.service').restartSecMs).toBe(3000);
  });
});

describe('[Service] errors', () => {
  it.each<[string, string]>([
    ['Restart=on-abnormal', '[Service] Restart: unsupported value "on-abnormal" (expected no, always, on-failure)'],
    ['Restart=on-success', '[Service] Restart: unsupported value "on-success" (expected no, always, on-failure)'],
    ['Restart=on-watchdog', '[Service] Restart: unsupported value "on-watchdog" (expected no, always, on-failure)'],
    ['RestartSec=soon', '[Service] RestartSec: invalid duration "soon"'],
    ['RestartSec=infinity', '[Service] RestartSec: duration must be finite, got "infinity"'],
    ['TimeoutStartSec=x', '[Service] TimeoutStartSec: invalid duration "x"'],
    ['TimeoutStopSec=0', '[Service] TimeoutStopSec: no stop timeout ("0") is not supported; give a duration'],
    ['TimeoutStopSec=infinity', '[Service] TimeoutStopSec: no stop timeout ("infinity") is not supported; give a duration'],
    ['TimeoutSec=0', '[Service] TimeoutSec: no stop timeout ("0") is not supported; give a duration'],
    ['TimeoutSec=x', '[Service] TimeoutSec: invalid duration "x"'],
    ['Type=oneshot', '[Service] Type: unsupported value "oneshot" (expected simple, exec, notify, idle)'],
    ['Type=forking', '[Service] Type: unsupported value "forking" (expected simple, exec, notify, idle)'],
    ['Environment=A=1', '[Service] Environment: not supported for containers (use Environment= in [Container] or docker run -e)'],
    [
      'EnvironmentFile=/etc/environment',
      '[Service] EnvironmentFile: not supported for containers (host files are not read; use Environment= in [Container] or docker run -e)',
    ],
    ['User=core', '[Service] User: not supported for containers (use User= in [Container] or docker run -u)'],
    ['Group=core', '[Service] Group: not supported for containers (use User= in [Container] or docker run -u)'],
    ['WorkingDirectory=/srv', '[Service] WorkingDirectory: not supported for containers (use WorkingDir= in [Container] or docker run -w)'],
    ['ExecReload=/bin/kill -HUP $MAINPID', '[Service] ExecReload: not supported for containers (fleet runs containers, not host commands)'],
    ['KillSignal=SIGINT', '[Service] KillSignal: not supported for containers'],
    ['SuccessExitStatus=1', '[Service] SuccessExitStatus: not supported for containers'],
    ['PIDFile=/run/x.pid', '[Service] PIDFile: not supported for containers'],
    ['restart=always', '[Service] restart: not supported for containers'],
    ['Restart=%I', '[Service] Restart: unknown specifier "%I" (known: %n %N %p %i %m %H %%)'],
  ])('%s', (line, error) => {
    expect(errorsOf(dockerRunUnit('busybox', line))).toEqual([error]);
  });
});
