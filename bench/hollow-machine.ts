import { createHash } from 'node:crypto';
import { describeError, FLEET_VERSION, systemClock, type Logger, type MachineRecord, type UnitStateRecord } from '@fleet/core';
import { Agent } from '@fleet/agent';
import { LeaseKeeper, type EtcdClient, type LeaseRef, type Registry } from '@fleet/registry';
import { HollowRuntime } from '@fleet/runtime/testing';

/**
 * A hollow machine (Kubernetes kubemark's "hollow node"): a real agent — its own lease kept alive
 * by LeaseKeeper, its own machine registration, its own watches, real state publishing, the same
 * recovery after a lost lease as fleetd — whose container runtime only records what it would do.
 * Assembled like packages/agent/src/fleetd.ts, minus Docker, the state dir and signals.
 */
export interface HollowMachineOptions {
  readonly index: number;
  /** Shared with other hollow machines (one gRPC connection for several agents). */
  readonly client: EtcdClient;
  readonly registry: Registry;
  readonly ttlSeconds: number;
  readonly logger: Logger;
  /** Called once per unit when its `active` state has been written to etcd. */
  readonly onLaunched: (unit: string) => void;
}

/** fleetd's agent resync period (fleetd.ts AGENT_RESYNC_MS). */
const AGENT_RESYNC_MS = 5_000;

/** 32 hex characters, like /etc/machine-id, stable per index. */
export function hollowMachineId(index: number): string {
  return createHash('md5').update(`hollow-machine-${index}`).digest('hex');
}

export function hollowMachineRecord(index: number): MachineRecord {
  return {
    id: hollowMachineId(index),
    publicIp: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
    metadata: {},
    version: FLEET_VERSION,
    dockerEndpoint: 'hollow://',
    dockerVersion: 'hollow',
    cpus: 2,
    memoryBytes: 4 * 1024 ** 3,
    startedAt: new Date().toISOString(),
  };
}

/** The registry as the agent sees it, reporting each unit's first `active` state once written. */
function reportingLaunches(registry: Registry, onActive: (state: UnitStateRecord) => void): Registry {
  return new Proxy(registry, {
    get(target, property) {
      if (property === 'publishStates') {
        return async (states: readonly UnitStateRecord[], lease: LeaseRef): Promise<void> => {
          await target.publishStates(states, lease);
          for (const state of states) if (state.activeState === 'active') onActive(state);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export class HollowMachine {
  private stopping = false;

  private constructor(
    readonly record: MachineRecord,
    readonly runtime: HollowRuntime,
    private readonly lease: LeaseKeeper,
    private readonly agent: Agent,
  ) {}

  get id(): string {
    return this.record.id;
  }

  static async start(options: HollowMachineOptions): Promise<HollowMachine> {
    const record = hollowMachineRecord(options.index);
    const log = options.logger.child({ machine: record.id });
    const launched = new Set<string>();
    const registry = reportingLaunches(options.registry, (state) => {
      if (launched.has(state.name)) return;
      launched.add(state.name);
      options.onLaunched(state.name);
    });
    const lease = await LeaseKeeper.grant({ client: options.client, ttlSeconds: options.ttlSeconds, logger: log });
    await registry.registerMachine(record, lease);
    const runtime = new HollowRuntime(record.id);
    const agent = new Agent({
      registry,
      runtime,
      lease,
      machine: () => record,
      hostname: `hollow-${options.index}`,
      logger: log,
      clock: systemClock,
      reconcileIntervalMs: AGENT_RESYNC_MS,
    });
    await agent.start();
    const machine = new HollowMachine(record, runtime, lease, agent);
    lease.onLost(() => void machine.recover(registry, log));
    return machine;
  }

  /** fleetd's answer to a lost lease: the same lease if etcd kept it, else a new one; register again. */
  private async recover(registry: Registry, log: Logger): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.lease.regrant();
        await registry.registerMachine(this.record, this.lease);
        this.agent.setLease(this.lease);
        log.warn('hollow machine lost its lease and registered again', { attempt });
        return;
      } catch (error) {
        log.error('hollow machine could not restore its registration', { attempt, err: describeError(error) });
        await systemClock.sleep(Math.min(250 * 2 ** attempt, 5_000));
      }
    }
  }

  /** Stops the agent and lets the lease expire on etcd's side (the benchmark discards etcd anyway). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.agent.stop(false);
    this.lease.release();
  }
}
