import {
  ContainerSpecSchema,
  parseUnitFile,
  resolveContainerSpec,
  type ContainerSpec,
  type ContainerSpecResolution,
} from '@fleet/core';

export const MACHINE = { machineId: '0123456789abcdef0123456789abcdef', hostname: 'node-1' } as const;

/** The spec fields every unit gets unless it says otherwise. */
export const DEFAULTS = {
  env: [],
  ports: [],
  volumes: [],
  labels: {},
  pull: 'missing',
  restart: 'no',
  restartSecMs: 100,
  stopTimeoutSec: 10,
  startTimeoutMs: 0,
} as const satisfies Partial<ContainerSpec>;

export function resolveText(text: string, unitName = 'test.service'): ContainerSpecResolution {
  return resolveContainerSpec(parseUnitFile(text), { unitName, ...MACHINE });
}

/** The resolved spec, which must also pass the schema; fails the test with the errors otherwise. */
export function specOf(text: string, unitName?: string): ContainerSpec {
  const resolution = resolveText(text, unitName);
  if (!resolution.ok) throw new Error(`unexpected errors:\n${resolution.errors.join('\n')}`);
  ContainerSpecSchema.parse(resolution.spec);
  return resolution.spec;
}

export function errorsOf(text: string, unitName?: string): string[] {
  const resolution = resolveText(text, unitName);
  return resolution.ok ? [] : resolution.errors;
}

/** A [Container] unit running `busybox` with the given extra lines. */
export function containerUnit(...lines: string[]): string {
  return ['[Container]', 'Image=busybox', ...lines, ''].join('\n');
}

/** A classic unit: `ExecStart=/usr/bin/docker run ARGS` plus the given [Service] lines. */
export function dockerRunUnit(args: string, ...serviceLines: string[]): string {
  return ['[Service]', `ExecStart=/usr/bin/docker run ${args}`, ...serviceLines, ''].join('\n');
}
