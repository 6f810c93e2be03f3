import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { systemClock } from '@fleet/core';
import { Agent } from '@fleet/agent';
import {
  EtcdRegistry,
  LeaseKeeper,
  Leadership,
  createEtcdClient,
  type EtcdClient,
  type MachineSnapshot,
  type Registry,
} from '@fleet/registry';
import { HollowRuntime } from '@fleet/runtime/testing';
import { type EtcdServer, eventually, startEtcd } from '@fleet/testkit';
import { machineRecord, recordingLogger, uniquePrefix, unitRecord, unitState } from '../registry/support.js';

/**
 * The agent against a real etcd at the moments the chaos suite and the restart test found racy:
 * a schedule written while the agent's read is in flight, a fence while a pass is between
 * planning and acting, states inherited from a previous run under the same lease. The container
 * runtime is hollow: what is under test is what the agent decides, not Docker.
 */

/** Holds callers at `pass()` until `open()`; `reached` resolves when the first one arrives. */
class Gate {
  private release!: () => void;
  private arrive!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  readonly reached = new Promise<void>((resolve) => (this.arrive = resolve));
  async pass(): Promise<void> {
    this.arrive();
    await this.opened;
  }
  open(): void {
    this.release();
  }
}

/** The real registry, except that a machineSnapshot waits at the gate `gateFor` gives its read (1-based), after reading. */
function holdingSnapshots(registry: Registry, gateFor: (read: number) => Gate | undefined): Registry {
  let reads = 0;
  return new Proxy(registry, {
    get(target, property) {
      if (property === 'machineSnapshot') {
        return async (machineId: string): Promise<MachineSnapshot> => {
          const gate = gateFor(++reads);
          const snapshot = await target.machineSnapshot(machineId);
          await gate?.pass();
          return snapshot;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const MACHINE = 'c'.repeat(32);
const UNIT_FILE = '[Service]\nExecStart=/usr/bin/docker run --name app fleet-test/busybox:1 sleep 1000\n';

describe('the agent and the registry', () => {
  let etcd: EtcdServer;
  let client: EtcdClient;
  let keeper: LeaseKeeper;
  const leaderships: Leadership[] = [];
  const agents: Agent[] = [];
  const gates: Gate[] = [];
  const gate = (): Gate => {
    const g = new Gate();
    gates.push(g);
    return g;
  };

  beforeAll(async () => {
    etcd = await startEtcd();
    client = createEtcdClient({ endpoints: [etcd.endpoint], callTimeoutMs: 5_000 });
    keeper = await LeaseKeeper.grant({ client, ttlSeconds: 10, logger: recordingLogger() });
  });
  afterEach(async () => {
    for (const g of gates.splice(0)) g.open();
    await Promise.allSettled(agents.splice(0).map((a) => a.stop(false)));
    await Promise.allSettled(leaderships.splice(0).map((l) => l.stop()));
  });
  afterAll(async () => {
    await keeper.revoke();
    client.close();
    await etcd.stop();
  });

  /** A registry on a fresh prefix with this machine registered, a launched unit and a leader to schedule it. */
  const setUp = async (what: string) => {
    const prefix = uniquePrefix(what);
    const logger = recordingLogger();
    const registry = new EtcdRegistry({ client, prefix, logger });
    await registry.registerMachine(machineRecord(MACHINE), keeper);
    const { entry } = await registry.createUnit(unitRecord('app.service', UNIT_FILE, 'launched'), { global: false });
    const leadership = new Leadership({ client, prefix, candidateId: 'engine', ttlSeconds: 5, logger });
    leaderships.push(leadership);
    leadership.start();
    const guard = await eventually(() => leadership.isLeader() && leadership.guard(), { what: 'leadership' });
    const schedule = async (): Promise<void> => {
      const read = await registry.snapshot();
      const change = { kind: 'schedule', machineId: MACHINE, unit: entry.unit, unitRevision: entry.modRevision } as const;
      expect((await registry.applyScheduleChanges([change], guard, read.revision)).outcome).toBe('applied');
    };
    return { registry, logger, schedule };
  };

  const startAgent = async (registry: Registry, logger: ReturnType<typeof recordingLogger>, runtime: HollowRuntime): Promise<Agent> => {
    const agent = new Agent({
      registry,
      runtime,
      lease: keeper,
      machine: () => machineRecord(MACHINE),
      hostname: 'agent-reads',
      logger,
      clock: systemClock,
      reconcileIntervalMs: 200,
    });
    agents.push(agent);
    await agent.start();
    return agent;
  };

  it('acts on a schedule written while its first read is in flight', async () => {
    const { registry, logger, schedule } = await setUp('read-in-flight');
    const held = gate();
    const runtime = new HollowRuntime(MACHINE);
    await startAgent(holdingSnapshots(registry, (read) => (read === 1 ? held : undefined)), logger, runtime);
    await held.reached;
    // The read has returned (without the unit) and is held; the engine places the unit now, and
    // the agent's watch sees it before the read is applied.
    await schedule();
    await systemClock.sleep(300);
    held.open();
    await eventually(async () => (await runtime.list()).some((c) => c.unit === 'app.service' && c.state === 'running'), {
      what: 'the unit running',
      timeoutMs: 10_000,
    });
  });

  it('starts nothing a pass planned before a fence, until it has read the schedule again', async () => {
    const { registry, logger, schedule } = await setUp('fence-mid-pass');
    await schedule();
    const runtime = new HollowRuntime(MACHINE);
    // The pass's first read is held until the fence has run; the read after the fence is held too.
    const first = gate();
    const afterFence = gate();
    const agent = await startAgent(holdingSnapshots(registry, (read) => (read === 1 ? first : afterFence)), logger, runtime);
    await first.reached;
    await agent.fence('test: lease lost mid-pass');
    first.open();
    // The stale pass has had every chance to act; it must not have created or started anything,
    // and the next pass must read the schedule again.
    await systemClock.sleep(500);
    expect(runtime.calls).toMatchObject({ create: 0, start: 0 });
    await Promise.race([afterFence.reached, systemClock.sleep(2_000).then(() => Promise.reject(new Error('no read after the fence')))]);
    afterFence.open();
    await eventually(async () => (await runtime.list()).some((c) => c.unit === 'app.service' && c.state === 'running'), {
      what: 'the unit running after the re-read',
      timeoutMs: 10_000,
    });
  });

  it('deletes the states a previous run left under the same lease for units no longer here', async () => {
    const { registry, logger, schedule } = await setUp('inherited-states');
    await schedule();
    // The previous run published these; this run resumes its lease and knows nothing of them.
    const app = unitRecord('app.service', UNIT_FILE, 'launched');
    await registry.publishState(unitState('app.service', MACHINE, app.hash), keeper);
    await registry.publishState(unitState('moved.service', MACHINE, 'f'.repeat(40)), keeper);
    expect(await registry.statesOnLease(keeper, MACHINE)).toEqual(['app.service', 'moved.service']);
    const runtime = new HollowRuntime(MACHINE);
    await startAgent(registry, logger, runtime);
    await eventually(async () => (await registry.listStates()).map((e) => e.state.name).join() === 'app.service', {
      what: 'only the scheduled unit to keep a state',
      timeoutMs: 10_000,
    });
    expect(await registry.statesOnLease(keeper, MACHINE)).toEqual(['app.service']);
  });
});
