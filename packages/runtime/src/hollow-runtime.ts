import { randomBytes } from 'node:crypto';
import type { ContainerSpec } from '@fleet/core';
import type {
  ContainerDetails,
  ContainerEvent,
  ContainerRuntime,
  CreatedContainer,
  EnsureImageResult,
  EventStreamHooks,
  LogLine,
  LogOptions,
  PullPolicy,
  RuntimeContainer,
  RuntimeInfo,
} from './container-runtime.js';
import { DockerNotFoundError } from './runtime-errors.js';

/**
 * A machine's container runtime that only records what it would do — Kubernetes' "hollow node"
 * technique. Everything else about a hollow machine is real (registration, lease, watches, state
 * publishing), so benchmarks can run a thousand machines on one box. Never used by fleetd itself.
 */
interface HollowContainer {
  id: string;
  name: string;
  unit: string;
  hash: string;
  image: string;
  state: RuntimeContainer['state'];
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
}

export class HollowRuntime implements ContainerRuntime {
  private readonly containers = new Map<string, HollowContainer>();
  private readonly listeners = new Set<(e: ContainerEvent) => void>();
  /** Calls made, by kind: what the benchmark reads back. */
  readonly calls = { create: 0, start: 0, stop: 0, remove: 0 };

  constructor(readonly machineId: string) {}

  async list(): Promise<RuntimeContainer[]> {
    return [...this.containers.values()]
      .map((c) => this.view(c))
      .sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : a.id < b.id ? -1 : 1));
  }

  async create(unitName: string, hash: string, spec: ContainerSpec): Promise<CreatedContainer> {
    const id = randomBytes(32).toString('hex');
    const name = spec.name ?? `fleet-${unitName.replace(/[^a-zA-Z0-9_.-]/g, '_')}`;
    this.containers.set(id, { id, name, unit: unitName, hash, image: spec.image, state: 'created' });
    this.calls.create++;
    this.emit('create', id);
    return { id, name };
  }

  async start(id: string): Promise<void> {
    const c = this.get(id);
    if (c.state === 'running') return;
    c.state = 'running';
    c.startedAt = Date.now();
    delete c.exitCode;
    this.calls.start++;
    this.emit('start', id);
  }

  async stop(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (c === undefined || c.state !== 'running') return;
    c.state = 'exited';
    c.exitCode = 0;
    c.finishedAt = Date.now();
    this.calls.stop++;
    this.emit('die', id);
  }

  async remove(id: string): Promise<void> {
    if (!this.containers.has(id)) return;
    this.emit('destroy', id);
    this.containers.delete(id);
    this.calls.remove++;
  }

  async inspect(id: string): Promise<ContainerDetails> {
    const c = this.get(id);
    return { ...this.view(c), image: c.image, labels: {} };
  }

  async ensureImage(_image: string, _policy: PullPolicy): Promise<EnsureImageResult> {
    return { pulled: false };
  }

  async events(onEvent: (event: ContainerEvent) => void, signal: AbortSignal, hooks?: EventStreamHooks): Promise<void> {
    if (signal.aborted) return;
    this.listeners.add(onEvent);
    hooks?.onConnected?.();
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.listeners.delete(onEvent);
  }

  async *logs(_id: string, _options?: LogOptions): AsyncIterable<LogLine> {
    // A hollow container prints nothing.
  }

  async info(): Promise<RuntimeInfo> {
    return { version: 'hollow', cpus: 2, memoryBytes: 4 * 1024 ** 3, os: 'hollow', kernel: 'hollow' };
  }

  /** Containers currently running, by unit name. */
  runningUnits(): string[] {
    return [...this.containers.values()].filter((c) => c.state === 'running').map((c) => c.unit);
  }

  private get(id: string): HollowContainer {
    const c = this.containers.get(id);
    if (c === undefined) throw new DockerNotFoundError(`no such container: ${id}`, `No such container: ${id}`);
    return c;
  }

  private view(c: HollowContainer): RuntimeContainer {
    return {
      id: c.id,
      name: c.name,
      unit: c.unit,
      hash: c.hash,
      state: c.state,
      ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
      ...(c.startedAt === undefined ? {} : { startedAt: c.startedAt }),
      ...(c.finishedAt === undefined ? {} : { finishedAt: c.finishedAt }),
    };
  }

  private emit(action: ContainerEvent['action'], id: string): void {
    const c = this.containers.get(id);
    if (c === undefined) return;
    const event: ContainerEvent = { action, containerId: id, unit: c.unit, hash: c.hash, time: Date.now(), ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }) };
    for (const l of this.listeners) l(event);
  }
}
