import type Docker from 'dockerode';
import { CONTAINER_LABELS, type ContainerSpec } from '@fleet/core';

const NANOS_PER_MS = 1_000_000;

/**
 * The default container name for a unit: `fleet-` + the unit name, with every character Docker
 * refuses in names (`@`, `:`, `\`…; Docker allows [a-zA-Z0-9_.-]) replaced by `_`.
 * `hello@2.service` → `fleet-hello_2.service`. Names are for people: fleet finds its
 * containers by label, so two units whose names collide here get DOCKER_CONFLICT, not a mix-up.
 */
export function containerNameFor(unitName: string): string {
  return `fleet-${unitName.replace(/[^a-zA-Z0-9_.-]/g, '_')}`;
}

/**
 * Docker's create request for one unit's container. Every ContainerSpec field that Docker knows
 * is mapped; Restart= is deliberately NOT given to Docker (HostConfig.RestartPolicy stays empty)
 * because the agent applies it itself, with fleet's semantics and backoff. Fields the spec leaves
 * out are left out, so Docker's and the image's defaults apply.
 */
export function dockerCreateOptions(
  unitName: string,
  hash: string,
  machineId: string,
  spec: ContainerSpec,
): Docker.ContainerCreateOptions & { name: string } {
  const hostConfig: Docker.HostConfig = {};
  const options: Docker.ContainerCreateOptions & { name: string } = {
    name: spec.name ?? containerNameFor(unitName),
    Image: spec.image,
    Env: [...spec.env],
    // fleet's labels last: a unit cannot forge another unit's or machine's identity.
    Labels: {
      ...spec.labels,
      [CONTAINER_LABELS.unit]: unitName,
      [CONTAINER_LABELS.hash]: hash,
      [CONTAINER_LABELS.machine]: machineId,
    },
    StopTimeout: spec.stopTimeoutSec,
    HostConfig: hostConfig,
  };
  if (spec.cmd !== undefined) options.Cmd = [...spec.cmd];
  if (spec.entrypoint !== undefined) options.Entrypoint = [...spec.entrypoint];
  if (spec.user !== undefined) options.User = spec.user;
  if (spec.workingDir !== undefined) options.WorkingDir = spec.workingDir;
  if (spec.hostname !== undefined) options.Hostname = spec.hostname;

  if (spec.ports.length > 0) {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of spec.ports) {
      const key = `${p.containerPort}/${p.protocol}`;
      exposed[key] = {};
      // An empty HostPort (or 0) lets Docker pick a free one.
      const binding = { HostIp: p.hostIp ?? '', HostPort: p.hostPort ? String(p.hostPort) : '' };
      (bindings[key] ??= []).push(binding);
    }
    options.ExposedPorts = exposed;
    hostConfig.PortBindings = bindings;
  }

  // `src:dst[:opts]` is a bind or named volume; a bare path is an anonymous volume.
  const binds = spec.volumes.filter((v) => v.includes(':'));
  const anonymous = spec.volumes.filter((v) => !v.includes(':'));
  if (binds.length > 0) hostConfig.Binds = binds;
  if (anonymous.length > 0) options.Volumes = Object.fromEntries(anonymous.map((v) => [v, {}]));

  if (spec.network !== undefined) hostConfig.NetworkMode = spec.network;
  if (spec.memoryBytes !== undefined) hostConfig.Memory = spec.memoryBytes;
  if (spec.nanoCpus !== undefined) hostConfig.NanoCpus = spec.nanoCpus;

  if (spec.health !== undefined) {
    const h = spec.health;
    const health: Docker.HealthConfig = { Test: [...h.test] };
    if (h.intervalMs !== undefined) health.Interval = h.intervalMs * NANOS_PER_MS;
    if (h.timeoutMs !== undefined) health.Timeout = h.timeoutMs * NANOS_PER_MS;
    if (h.retries !== undefined) health.Retries = h.retries;
    if (h.startPeriodMs !== undefined) health.StartPeriod = h.startPeriodMs * NANOS_PER_MS;
    options.Healthcheck = health;
  }
  return options;
}
