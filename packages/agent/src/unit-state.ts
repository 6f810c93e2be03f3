import type { UnitStateRecord } from '@fleet/core';
import type { RuntimeContainer } from '@fleet/runtime';

/**
 * Maps what Docker says about a unit's container to the systemd-style state fleet users know
 * from `fleetctl list-units` (LOAD/ACTIVE/SUB), plus the container facts `fleetctl status` shows.
 * Pure: the agent publishes the result only when it differs from what it published last.
 */
export interface UnitStateInput {
  readonly name: string;
  readonly hash: string;
  readonly machineId: string;
  /** The unit's container, if one exists. */
  readonly container?: RuntimeContainer;
  /** The image the unit runs (from its container spec). */
  readonly image?: string;
  /** The unit's desired state here: an exit after fleet stopped it (`loaded`) is not a failure. */
  readonly targetState: 'loaded' | 'launched';
  /** An exited container that Restart= will start again. */
  readonly restartPending: boolean;
  /** Restarts applied by Restart= during this launch. */
  readonly restarts: number;
  /** The last create/start/pull failure, when the unit has no usable container. */
  readonly error?: string;
}

export function unitStateFor(input: UnitStateInput): UnitStateRecord {
  const { container } = input;
  const base = { name: input.name, hash: input.hash, machineId: input.machineId, loadState: 'loaded' };
  if (container === undefined) {
    if (input.error !== undefined) {
      return { ...base, activeState: 'failed', subState: 'failed', error: input.error };
    }
    return { ...base, activeState: 'inactive', subState: 'dead' };
  }
  const facts = {
    containerId: container.id,
    ...(input.image === undefined ? {} : { image: input.image }),
    ...(container.startedAt === undefined ? {} : { startedAt: new Date(container.startedAt).toISOString() }),
    ...(container.exitCode === undefined || container.state === 'running' ? {} : { exitCode: container.exitCode }),
    restartCount: input.restarts,
    ...(container.health === undefined || container.health === 'none' ? {} : { health: container.health }),
    ...(input.error === undefined ? {} : { error: input.error }),
  };
  return { ...base, ...activeSub(container, input.restartPending, input.targetState), ...facts };
}

function activeSub(
  c: RuntimeContainer,
  restartPending: boolean,
  targetState: 'loaded' | 'launched',
): { activeState: string; subState: string } {
  switch (c.state) {
    case 'running':
      return { activeState: 'active', subState: 'running' };
    case 'restarting':
      return { activeState: 'activating', subState: 'auto-restart' };
    case 'paused':
      return { activeState: 'active', subState: 'paused' };
    case 'removing':
      return { activeState: 'deactivating', subState: 'stop' };
    case 'created':
      return { activeState: 'inactive', subState: 'dead' };
    case 'exited':
    case 'dead':
      if (restartPending) return { activeState: 'activating', subState: 'auto-restart' };
      return targetState === 'loaded' || c.exitCode === undefined || c.exitCode === 0 || c.startedAt === undefined
        ? { activeState: 'inactive', subState: 'dead' }
        : { activeState: 'failed', subState: 'failed' };
  }
}
