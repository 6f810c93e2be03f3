import Docker from 'dockerode';
import { CONTAINER_LABELS, FleetError, type ContainerSpec } from '@fleet/core';
import type {
  ContainerDetails,
  ContainerEvent,
  ContainerRuntime,
  ContainerState,
  CreatedContainer,
  EnsureImageResult,
  EventStreamHooks,
  HealthState,
  LogLine,
  LogOptions,
  PullPolicy,
  RuntimeContainer,
  RuntimeInfo,
} from './container-runtime.js';
import { dockerCreateOptions } from './docker-create-options.js';
import { dockerConnectionOptions } from './docker-endpoint.js';
import { LogLineDecoder } from './log-lines.js';
import {
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerUnavailableError,
  ImageNotFoundError,
  ImagePullError,
} from './runtime-errors.js';

export interface DockerRuntimeOptions {
  /** Deadline of one non-streaming Engine API request (a stop adds its own timeout). Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** First wait before reconnecting the event stream; doubles up to `reconnectMaxMs`. Default 100 ms. */
  readonly reconnectInitialMs?: number;
  /** Default 5 s. */
  readonly reconnectMaxMs?: number;
}

/** Where a failed request was aimed, to pick the error class and word the message. */
interface Target {
  readonly action: string;
  readonly container?: string;
  readonly image?: string;
}

// Errors that mean no HTTP answer came back from the daemon.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EACCES',
  'ABORT_ERR',
]);
const ZERO_TIME = '0001-01-01T00:00:00Z';
const NANOS_PER_SEC = 1_000_000_000n;
const CONTAINER_STATES: readonly string[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
const HEALTH_STATES: readonly string[] = ['starting', 'healthy', 'unhealthy', 'none'];

/** Docker's own words from a dockerode error: the JSON body's message, else the text after the status prefix. */
function dockerMessageOf(error: unknown): string {
  const json: unknown = (error as { json?: unknown } | null)?.json;
  if (typeof json === 'object' && json !== null && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  if (typeof json === 'string' && json.trim() !== '') return json.trim();
  const message: unknown = (error as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : String(error);
  return text.replace(/^\(HTTP code \d+\) .*? - /, '').trim();
}

function statusCodeOf(error: unknown): number | undefined {
  const code: unknown = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

// Duck-typed, not instanceof: errors from node's http layer may come from another realm (Jest's VM).
function errorName(error: unknown): string | undefined {
  const name: unknown = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

function isTimeout(error: unknown): boolean {
  const name = errorName(error);
  return name === 'AbortError' || name === 'TimeoutError';
}

function isUnreachable(error: unknown): boolean {
  const code: unknown = (error as { code?: unknown } | null)?.code;
  return isTimeout(error) || (typeof code === 'string' && UNREACHABLE_CODES.has(code));
}

function timeOf(iso: string | undefined): number | undefined {
  if (iso === undefined || iso === '' || iso === ZERO_TIME) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || ms <= 0 ? undefined : ms;
}

/** Docker state → ours; anything unexpected reads as `dead` so the agent replaces it. */
function stateOf(status: string): ContainerState {
  return CONTAINER_STATES.includes(status) ? (status as ContainerState) : 'dead';
}

function healthOf(status: string | undefined): HealthState | undefined {
  return status !== undefined && HEALTH_STATES.includes(status) ? (status as HealthState) : undefined;
}

/** The fields of GET /info fleet reads. */
interface DaemonInfo {
  ServerVersion?: string;
  NCPU?: number;
  MemTotal?: number;
  OperatingSystem?: string;
  KernelVersion?: string;
}

interface RawEvent {
  Type?: string;
  Action?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** A Docker engine reached through dockerode, seen through fleet's labels for one machine. */
export class DockerRuntime implements ContainerRuntime {
  readonly endpoint: string;
  readonly machineId: string;
  private readonly docker: Docker;
  private readonly requestTimeoutMs: number;
  private readonly reconnectInitialMs: number;
  private readonly reconnectMaxMs: number;

  constructor(endpoint: string, machineId: string, options: DockerRuntimeOptions = {}) {
    if (machineId === '') throw new FleetError('MACHINE_ID_MISSING', 'DockerRuntime needs a machine id');
    this.endpoint = endpoint;
    this.machineId = machineId;
    this.docker = new Docker(dockerConnectionOptions(endpoint));
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.reconnectInitialMs = options.reconnectInitialMs ?? 100;
    this.reconnectMaxMs = options.reconnectMaxMs ?? 5_000;
  }

  async list(): Promise<RuntimeContainer[]> {
    const found = await this.call({ action: 'list containers' }, (abortSignal) =>
      this.docker.listContainers({
        all: true,
        // Label filters AND together: this machine's, and carrying both other fleet labels.
        filters: {
          label: [`${CONTAINER_LABELS.machine}=${this.machineId}`, CONTAINER_LABELS.unit, CONTAINER_LABELS.hash],
        },
        abortSignal,
      }),
    );
    // The list entry lacks exit code and times; inspect each (a container removed meanwhile drops out).
    const details = await Promise.all(
      found.map((c) =>
        this.inspect(c.Id).catch((error: unknown) => {
          if (error instanceof DockerNotFoundError) return undefined;
          throw error;
        }),
      ),
    );
    return details
      .filter((d): d is ContainerDetails => d !== undefined)
      .map(({ image: _image, labels: _labels, pid: _pid, ...container }) => container)
      .sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async create(unitName: string, hash: string, spec: ContainerSpec): Promise<CreatedContainer> {
    const options = dockerCreateOptions(unitName, hash, this.machineId, spec);
    const container = await this.call({ action: `create the container of ${unitName}`, image: spec.image }, (abortSignal) =>
      this.docker.createContainer({ ...options, abortSignal }),
    );
    return { id: container.id, name: options.name };
  }

  async start(id: string): Promise<void> {
    await this.call({ action: `start container ${id}`, container: id }, (abortSignal) =>
      this.docker
        .getContainer(id)
        .start({ abortSignal })
        .catch((error: unknown) => {
          if (statusCodeOf(error) !== 304) throw error; // 304: already running
        }),
    );
  }

  async stop(id: string, timeoutSec: number): Promise<void> {
    await this.call(
      { action: `stop container ${id}`, container: id },
      (abortSignal) =>
        this.docker
          .getContainer(id)
          .stop({ t: timeoutSec, abortSignal })
          .catch((error: unknown) => {
            if (statusCodeOf(error) !== 304) throw error; // 304: already stopped
          }),
      this.requestTimeoutMs + timeoutSec * 1000,
    );
  }

  async remove(id: string): Promise<void> {
    await this.call({ action: `remove container ${id}`, container: id }, (abortSignal) =>
      this.docker
        .getContainer(id)
        .remove({ force: true, v: true, abortSignal } as Docker.ContainerRemoveOptions)
        .catch((error: unknown) => {
          const status = statusCodeOf(error);
          // Already gone, or Docker is already removing it: the outcome asked for.
          if (status === 404) return;
          if (status === 409 && /already in progress/i.test(dockerMessageOf(error))) return;
          throw error;
        }),
    );
  }

  async inspect(id: string): Promise<ContainerDetails> {
    const info = await this.call({ action: `inspect container ${id}`, container: id }, (abortSignal) =>
      this.docker.getContainer(id).inspect({ abortSignal }),
    );
    const labels = info.Config.Labels ?? {};
    const unit = labels[CONTAINER_LABELS.unit];
    const hash = labels[CONTAINER_LABELS.hash];
    if (unit === undefined || hash === undefined || labels[CONTAINER_LABELS.machine] !== this.machineId) {
      throw new DockerNotFoundError(`container ${id} is not a fleet container of machine ${this.machineId}`, '');
    }
    const state = stateOf(info.State.Status);
    const exited = state === 'exited' || state === 'dead';
    const startedAt = timeOf(info.State.StartedAt);
    const finishedAt = timeOf(info.State.FinishedAt);
    const health = healthOf(info.State.Health?.Status);
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      unit,
      hash,
      state,
      ...(exited ? { exitCode: info.State.ExitCode } : {}),
      ...(startedAt !== undefined ? { startedAt } : {}),
      ...(finishedAt !== undefined ? { finishedAt } : {}),
      restartCount: info.RestartCount,
      ...(health !== undefined ? { health } : {}),
      image: info.Config.Image,
      labels: { ...labels },
      ...(info.State.Running && info.State.Pid > 0 ? { pid: info.State.Pid } : {}),
    };
  }

  async ensureImage(image: string, policy: PullPolicy): Promise<EnsureImageResult> {
    if (policy !== 'always') {
      try {
        // dockerode's image inspect takes no abort signal; call() still enforces the deadline.
        await this.call({ action: `inspect image ${image}`, image }, () => this.docker.getImage(image).inspect());
        return { pulled: false };
      } catch (error) {
        if (!(error instanceof ImageNotFoundError)) throw error;
        if (policy === 'never') {
          throw new ImageNotFoundError(
            image,
            `image ${image} is not present and its pull policy is never: ${error.dockerMessage}`,
            error.dockerMessage,
            { cause: error.cause, statusCode: 404 },
          );
        }
      }
    }
    await this.pull(image);
    return { pulled: true };
  }

  async events(onEvent: (event: ContainerEvent) => void, signal: AbortSignal, hooks: EventStreamHooks = {}): Promise<void> {
    let delay = this.reconnectInitialMs;
    // Resume point: after a reconnect Docker replays its buffered events since the last one
    // delivered; those at exactly that nanosecond that were already delivered are skipped by key.
    // timeNano exceeds 2^53, so it is read from the text as a bigint.
    let lastNano: bigint | undefined;
    let seenAtLast = new Set<string>();
    while (!signal.aborted) {
      let failure: Error | undefined;
      try {
        const since = lastNano === undefined ? undefined : secondsText(lastNano);
        const stream = await this.docker.getEvents({
          filters: { type: ['container'], label: [`${CONTAINER_LABELS.machine}=${this.machineId}`] },
          ...(since !== undefined ? { since } : {}),
          abortSignal: signal,
        } as Docker.GetEventsOptions);
        hooks.onConnected?.();
        delay = this.reconnectInitialMs;
        let buffered = '';
        for await (const chunk of stream as AsyncIterable<Buffer | string>) {
          buffered += chunk.toString();
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line === '') continue;
            const raw = JSON.parse(line) as RawEvent;
            const nanoText = /"timeNano":(\d+)/.exec(line)?.[1];
            const nano = nanoText !== undefined ? BigInt(nanoText) : BigInt(raw.time ?? 0) * NANOS_PER_SEC;
            const key = `${raw.Actor?.ID ?? ''}/${raw.Action ?? ''}`;
            if (lastNano !== undefined && (nano < lastNano || (nano === lastNano && seenAtLast.has(key)))) continue;
            if (nano !== lastNano) seenAtLast = new Set();
            lastNano = nano;
            seenAtLast.add(key);
            const event = this.containerEventOf(raw);
            if (event !== undefined) onEvent(event);
          }
        }
      } catch (error) {
        if (signal.aborted) break;
        failure = this.translate(error, { action: 'follow events' });
      }
      if (signal.aborted) break;
      hooks.onDisconnected?.(failure);
      await abortableSleep(delay, signal);
      delay = Math.min(delay * 2, this.reconnectMaxMs);
    }
  }

  async *logs(id: string, options: LogOptions = {}): AsyncGenerator<LogLine> {
    const decoder = new LogLineDecoder(options.timestamps ?? false);
    const query = {
      stdout: true,
      stderr: true,
      timestamps: options.timestamps ?? false,
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
      ...(options.since !== undefined ? { since: (options.since / 1000).toFixed(3) } : {}),
    };
    const target = { action: `read the logs of container ${id}`, container: id };
    if (options.follow !== true) {
      const body = await this.call(target, (abortSignal) =>
        this.docker.getContainer(id).logs({ ...query, follow: false, abortSignal: anyOf(abortSignal, options.signal) }),
      );
      // dockerode JSON-parses bodies it can: only a TTY log that is one JSON document ends up parsed.
      yield* decoder.push(Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
      yield* decoder.end();
      return;
    }
    if (options.signal?.aborted) return;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker
        .getContainer(id)
        .logs({ ...query, follow: true, ...(options.signal !== undefined ? { abortSignal: options.signal } : {}) });
    } catch (error) {
      if (options.signal?.aborted) return;
      throw this.translate(error, target);
    }
    try {
      for await (const chunk of stream as AsyncIterable<Buffer | string>) {
        yield* decoder.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      }
    } catch (error) {
      if (!options.signal?.aborted) throw this.translate(error, target);
    } finally {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    }
    yield* decoder.end();
  }

  async info(): Promise<RuntimeInfo> {
    const info = (await this.call({ action: 'read daemon info' }, () => this.docker.info())) as DaemonInfo;
    return {
      version: info.ServerVersion ?? '',
      cpus: info.NCPU ?? 0,
      memoryBytes: info.MemTotal ?? 0,
      os: info.OperatingSystem ?? '',
      kernel: info.KernelVersion ?? '',
    };
  }

  private async pull(image: string): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.pull(image);
    } catch (error) {
      throw this.pullError(image, error);
    }
    // Failures after the pull started arrive as {"error": …} lines in a 200 response.
    const failure = await new Promise<string | undefined>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
          if (error !== null) return reject(error);
          const failed = output.find((o) => o.error !== undefined || o.errorDetail !== undefined);
          resolve(failed === undefined ? undefined : (failed.errorDetail?.message ?? failed.error ?? 'unknown error'));
        },
      );
    }).catch((error: unknown) => {
      throw this.pullError(image, error);
    });
    if (failure !== undefined) throw new ImagePullError(image, `pulling image ${image} failed: ${failure}`, failure);
  }

  private pullError(image: string, error: unknown): Error {
    const status = statusCodeOf(error);
    if (status === undefined && isUnreachable(error)) return this.translate(error, { action: `pull image ${image}` });
    const message = dockerMessageOf(error);
    return new ImagePullError(image, `pulling image ${image} failed: ${message}`, message, {
      cause: error,
      ...(status !== undefined ? { statusCode: status } : {}),
    });
  }

  private containerEventOf(raw: RawEvent): ContainerEvent | undefined {
    const attributes = raw.Actor?.Attributes ?? {};
    const id = raw.Actor?.ID;
    const unit = attributes[CONTAINER_LABELS.unit];
    if (raw.Type !== 'container' || id === undefined || unit === undefined) return undefined;
    if (attributes[CONTAINER_LABELS.machine] !== this.machineId) return undefined;
    // Some actions carry a detail after a colon: "health_status: healthy", "exec_start: sh -c …".
    const [action = '', detail] = (raw.Action ?? '').split(/:\s*/, 2);
    const exitCode = attributes['exitCode'];
    const health = action === 'health_status' ? healthOf(detail?.trim()) : undefined;
    const name = attributes['name'];
    return {
      action,
      containerId: id,
      unit,
      hash: attributes[CONTAINER_LABELS.hash] ?? '',
      ...(name !== undefined ? { name } : {}),
      ...(exitCode !== undefined && /^-?\d+$/.test(exitCode) ? { exitCode: Number(exitCode) } : {}),
      ...(health !== undefined ? { health } : {}),
      time: raw.timeNano !== undefined ? Math.floor(raw.timeNano / 1e6) : (raw.time ?? 0) * 1000,
    };
  }

  /** Runs one request under a deadline and turns any failure into a RuntimeError. */
  private async call<T>(
    target: Target,
    request: (abortSignal: AbortSignal) => Promise<T>,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<T> {
    const deadline = AbortSignal.timeout(timeoutMs);
    // The race also bounds the few dockerode calls that ignore the signal.
    let onAbort: (() => void) | undefined;
    const expired = new Promise<never>((_, reject) => {
      onAbort = () => reject(deadline.reason);
      deadline.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([request(deadline), expired]);
    } catch (error) {
      throw this.translate(error, target, timeoutMs);
    } finally {
      if (onAbort !== undefined) deadline.removeEventListener('abort', onAbort);
    }
  }

  private translate(error: unknown, target: Target, timeoutMs = this.requestTimeoutMs): Error {
    if (error instanceof FleetError) return error;
    const status = statusCodeOf(error);
    const dockerMessage = dockerMessageOf(error);
    if (status === undefined) {
      if (isTimeout(error)) {
        return new DockerUnavailableError(
          `Docker at ${this.endpoint} did not answer within ${timeoutMs} ms (${target.action})`,
          '',
          { cause: error },
        );
      }
      if (isUnreachable(error)) {
        return new DockerUnavailableError(
          `Docker at ${this.endpoint} is unavailable (${target.action}): ${dockerMessage}`,
          dockerMessage,
          { cause: error },
        );
      }
      return new DockerError(`${target.action} failed: ${dockerMessage}`, dockerMessage, { cause: error });
    }
    const options = { cause: error, statusCode: status };
    if (status === 404) {
      // A create names both an image and maybe a network: only "No such image" is about the image.
      if (target.image !== undefined && /no such image/i.test(dockerMessage)) {
        return new ImageNotFoundError(target.image, `image ${target.image} not found: ${dockerMessage}`, dockerMessage, options);
      }
      return new DockerNotFoundError(`${target.action} failed: ${dockerMessage}`, dockerMessage, options);
    }
    if (status === 409) return new DockerConflictError(`${target.action} failed: ${dockerMessage}`, dockerMessage, options);
    return new DockerError(`${target.action} failed (HTTP ${status}): ${dockerMessage}`, dockerMessage, options);
  }
}

/** Docker's `since` notation, seconds.nanoseconds, exact. */
function secondsText(nanos: bigint): string {
  return `${nanos / NANOS_PER_SEC}.${String(nanos % NANOS_PER_SEC).padStart(9, '0')}`;
}

function anyOf(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  return b === undefined ? a : AbortSignal.any([a, b]);
}

/** Waits `ms`, or less if `signal` aborts; never rejects. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
