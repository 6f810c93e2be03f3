import { z } from 'zod';

/**
 * What one unit runs: a single container on its machine's Docker daemon. Both unit forms
 * (`[Container]` and classic `ExecStart=/usr/bin/docker run …`) resolve to this one shape, with
 * specifiers (%n %i %m …) already expanded for the instance and machine.
 */
export const PortMappingSchema = z.object({
  hostIp: z.string().optional(),
  /** Omitted: Docker picks a free host port. */
  hostPort: z.number().int().min(0).max(65535).optional(),
  containerPort: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp', 'sctp']),
});
export type PortMapping = z.infer<typeof PortMappingSchema>;

export const HealthCheckSchema = z.object({
  /** Docker's Healthcheck.Test, e.g. ['CMD-SHELL', 'wget -q -O- localhost:80']. */
  test: z.array(z.string()).min(1),
  intervalMs: z.number().int().nonnegative().optional(),
  timeoutMs: z.number().int().nonnegative().optional(),
  retries: z.number().int().nonnegative().optional(),
  startPeriodMs: z.number().int().nonnegative().optional(),
});
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

export const RESTART_POLICIES = ['no', 'always', 'on-failure'] as const;
export const PULL_POLICIES = ['always', 'missing', 'never'] as const;

export const ContainerSpecSchema = z.object({
  image: z.string().min(1),
  /** Arguments after the image (Docker's Cmd); undefined keeps the image's default. */
  cmd: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  /** `KEY=value` entries in declaration order. */
  env: z.array(z.string()),
  ports: z.array(PortMappingSchema),
  /** Docker bind/volume strings `src:dst[:opts]`. */
  volumes: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
  network: z.string().optional(),
  user: z.string().optional(),
  workingDir: z.string().optional(),
  hostname: z.string().optional(),
  /** Container name; the agent derives one from the unit name when absent. */
  name: z.string().optional(),
  memoryBytes: z.number().int().positive().optional(),
  nanoCpus: z.number().int().positive().optional(),
  health: HealthCheckSchema.optional(),
  pull: z.enum(PULL_POLICIES),
  /** From [Service]. */
  restart: z.enum(RESTART_POLICIES),
  restartSecMs: z.number().int().nonnegative(),
  stopTimeoutSec: z.number().int().nonnegative(),
  /** 0 = no start deadline (systemd's TimeoutStartSec=0). */
  startTimeoutMs: z.number().int().nonnegative(),
});
export type ContainerSpec = z.infer<typeof ContainerSpecSchema>;

/** Context for expanding systemd specifiers when a container is created on a machine. */
export interface SpecifierContext {
  /** Full unit name, e.g. `hello@2.service`. */
  readonly unitName: string;
  /** %m */
  readonly machineId: string;
  /** %H */
  readonly hostname: string;
}

/** What a unit's container form ([Container] or `docker run`) decides; [Service] adds the rest. */
export type ContainerRunSettings = Omit<
  ContainerSpec,
  'restart' | 'restartSecMs' | 'stopTimeoutSec' | 'startTimeoutMs'
>;
