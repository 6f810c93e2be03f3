import { randomInt } from 'node:crypto';

/**
 * How big a chaos run is, from the environment: FLEET_CHAOS_SEED reproduces a schedule,
 * FLEET_CHAOS_FAULTS (default 100) and FLEET_CHAOS_MINUTES (default 0) size it — the run stops
 * once it has applied that many faults *and* run that long. The defaults are the CI run.
 */
export interface ChaosConfig {
  readonly seed: number;
  readonly faults: number;
  readonly minutes: number;
}

function nonNegative(env: NodeJS.ProcessEnv, key: string, fallback: number, integer: boolean): number {
  const text = env[key];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${key} must be a non-negative ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}`);
  }
  return value;
}

export function chaosConfig(env: NodeJS.ProcessEnv): ChaosConfig {
  const seed = nonNegative(env, 'FLEET_CHAOS_SEED', randomInt(0, 2 ** 32), true);
  if (seed >= 2 ** 32) throw new Error(`FLEET_CHAOS_SEED must be below 2^32, got ${seed}`);
  return {
    seed,
    faults: nonNegative(env, 'FLEET_CHAOS_FAULTS', 100, true),
    minutes: nonNegative(env, 'FLEET_CHAOS_MINUTES', 0, false),
  };
}

/** agent_ttl of every fleetd in the run. */
export const AGENT_TTL_MS = 2_000;
/** How often the observer polls every Docker daemon and the registry. */
export const POLL_INTERVAL_MS = 200;
/**
 * Longest double run (or Conflicts overlap) allowed outside the documented exemption — while a
 * machine running the unit has its fleetd killed or frozen, until that fleetd has been woken and
 * fenced (WAKE_FENCE_MS) or started again and cleaned up (RESTART_CLEANUP_MS): docs/reliability.md
 * §1's bound for a partition.
 */
export const DOUBLE_RUN_BOUND_MS = 2_000;
/**
 * A fleetd killed while the engine moved its units away finds their old copies still running when
 * it starts again, reads its schedule and removes them all at once (as the fence stops them; up
 * to 16 concurrent stops took 1.8 s here): the exemption ends this long after it logged
 * `fleetd started`.
 */
export const RESTART_CLEANUP_MS = 3_000;
/**
 * A fleetd woken from SIGSTOP finds its fence point long past and stops every non-global
 * container at once; Docker took up to 1.8 s for 15 concurrent stops on the loaded box: the
 * exemption ends this long after SIGCONT.
 */
export const WAKE_FENCE_MS = 2_000;
/** How often each machine's dockerd is probed (docker-probe.ts). */
export const DOCKER_PROBE_INTERVAL_MS = 1_000;
/**
 * A dockerd that does not answer a probe (list its fleet containers, inspect each) within this
 * long is hung: an environment failure of that host. The slowest listing seen in the chaos runs
 * on the loaded box took 2.7 s; the hang counts from the probe's start, so a longer timeout only
 * delays the repair.
 */
export const DOCKER_PROBE_TIMEOUT_MS = 8_000;
/** Every unit must run as it should this long after a round's last repair: agent_ttl + 15 s. */
export const CONVERGENCE_BOUND_MS = AGENT_TTL_MS + 15_000;
/** Past this the cluster is taken to be stuck and the run ends (a violation in itself). */
export const CONVERGENCE_GIVE_UP_MS = 90_000;
