import type { ContainerSpec } from '@fleet/core';

/**
 * The agent's port to its machine's container engine. It sees only the containers fleet made for
 * this machine: they are recognised by the labels in CONTAINER_LABELS (never by name) and
 * `fleet.machine` must equal the runtime's machine id, so machines sharing one daemon (tests,
 * hollow machines) never see or touch each other's containers.
 *
 * Failures are the RuntimeError subclasses in runtime-errors.ts (codes DOCKER_UNAVAILABLE,
 * DOCKER_NOT_FOUND, IMAGE_NOT_FOUND, IMAGE_PULL_FAILED, DOCKER_CONFLICT, DOCKER_ERROR).
 */
export interface ContainerRuntime {
  /** fleet's containers on this machine, in any state, sorted by unit name then id. */
  list(): Promise<RuntimeContainer[]>;
  /**
   * Creates (does not start) the unit's container from its spec, labelled with the unit name, the
   * unit hash and this machine's id. The image must be present (see ensureImage): a missing one
   * is IMAGE_NOT_FOUND; a name in use is DOCKER_CONFLICT.
   */
  create(unitName: string, hash: string, spec: ContainerSpec): Promise<CreatedContainer>;
  /** Starting a running container is a no-op. */
  start(id: string): Promise<void>;
  /** SIGTERM (or the image's stop signal), SIGKILL after `timeoutSec`; stopping a stopped container is a no-op. */
  stop(id: string, timeoutSec: number): Promise<void>;
  /** Force-removes the container and its anonymous volumes; removing a missing container is a no-op. */
  remove(id: string): Promise<void>;
  /** One of fleet's containers on this machine; DOCKER_NOT_FOUND for any other id. */
  inspect(id: string): Promise<ContainerDetails>;
  /**
   * Makes `image` present per the unit's pull policy: `never` = must already be local
   * (IMAGE_NOT_FOUND otherwise), `missing` = pull only if absent, `always` = pull every time.
   * A failed pull is IMAGE_PULL_FAILED with Docker's message.
   */
  ensureImage(image: string, policy: PullPolicy): Promise<EnsureImageResult>;
  /**
   * Streams this machine's container events to `onEvent` until `signal` aborts, reconnecting
   * (with backoff) whenever the daemon's stream ends or fails. Events missed while disconnected
   * are replayed when the daemon still has them; callers should still re-list on `onConnected`.
   * Resolves once `signal` has aborted and the stream is closed; never rejects.
   */
  events(onEvent: (event: ContainerEvent) => void, signal: AbortSignal, hooks?: EventStreamHooks): Promise<void>;
  /** The container's output as text lines tagged stdout/stderr; with `follow`, until it exits or `signal` aborts. */
  logs(id: string, options?: LogOptions): AsyncIterable<LogLine>;
  /** Facts about the engine, for the machine's registration. */
  info(): Promise<RuntimeInfo>;
}

export type PullPolicy = ContainerSpec['pull'];

/** Docker's container states. */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Docker's health states; `none` when the container has no health check. */
export type HealthState = 'starting' | 'healthy' | 'unhealthy' | 'none';

export interface RuntimeContainer {
  readonly id: string;
  /** Docker's container name, without the leading slash. */
  readonly name: string;
  /** Value of the fleet.unit label. */
  readonly unit: string;
  /** Value of the fleet.hash label. */
  readonly hash: string;
  readonly state: ContainerState;
  /** Set once the container has exited (state exited or dead). */
  readonly exitCode?: number;
  /** ms since epoch of the last start; absent if never started. */
  readonly startedAt?: number;
  /** ms since epoch of the last exit; absent if it never exited. */
  readonly finishedAt?: number;
  /** Docker's own restart count (fleet applies Restart= itself, so normally 0). */
  readonly restartCount?: number;
  readonly health?: HealthState;
}

export interface ContainerDetails extends RuntimeContainer {
  /** The image reference the container was created from. */
  readonly image: string;
  /** All labels, fleet's and the unit's. */
  readonly labels: Readonly<Record<string, string>>;
  /** Host pid of the container's first process while it runs. */
  readonly pid?: number;
}

export interface CreatedContainer {
  readonly id: string;
  readonly name: string;
}

export interface EnsureImageResult {
  /** Whether a pull happened. */
  readonly pulled: boolean;
}

/** Container event actions Docker emits (health_status carries the new state in `health`). */
export type ContainerAction =
  | 'create'
  | 'start'
  | 'restart'
  | 'die'
  | 'kill'
  | 'oom'
  | 'stop'
  | 'pause'
  | 'unpause'
  | 'rename'
  | 'update'
  | 'destroy'
  | 'health_status'
  | (string & {});

export interface ContainerEvent {
  readonly action: ContainerAction;
  readonly containerId: string;
  readonly unit: string;
  /** Value of the fleet.hash label. */
  readonly hash: string;
  /** Container name, when Docker included it. */
  readonly name?: string;
  /** On `die`. */
  readonly exitCode?: number;
  /** On `health_status`. */
  readonly health?: HealthState;
  /** ms since epoch. */
  readonly time: number;
}

export interface EventStreamHooks {
  /** Each time the stream is (re)established. */
  onConnected?(): void;
  /** Each time it is lost; `error` is absent when the daemon closed it cleanly. */
  onDisconnected?(error?: Error): void;
}

export interface LogOptions {
  /** Last N lines only (default: all). */
  readonly tail?: number;
  /** Keep streaming new output until the container stops or `signal` aborts. */
  readonly follow?: boolean;
  /** Only output since this time (ms since epoch). */
  readonly since?: number;
  /** Ask Docker for each line's time (LogLine.time). */
  readonly timestamps?: boolean;
  readonly signal?: AbortSignal;
}

export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  /** One line, without its newline. */
  readonly text: string;
  /** ms since epoch, with `timestamps`. */
  readonly time?: number;
}

export interface RuntimeInfo {
  /** Docker's server version, e.g. 20.10.24+dfsg1. */
  readonly version: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly kernel: string;
}
