import { describe, expect, it } from '@jest/globals';
import { systemClock } from '@fleet/core';
import { startEngine, type Engine } from '@fleet/engine';
import { EtcdRegistry, Leadership, type Registry } from '@fleet/registry';
import { eventually } from '@fleet/testkit';
import { machineRecord, privateEtcdWithLease, recordingLogger, uniquePrefix, unitRecord } from '../registry/support.js';

/** The registry, counting full snapshots and revision reads. */
function counting(registry: Registry): { registry: Registry; snapshots: () => number; revisionReads: () => number } {
  let snapshots = 0;
  let revisionReads = 0;
  const proxy = new Proxy(registry, {
    get(target, property) {
      if (property === 'snapshot') snapshots++;
      if (property === 'currentRevision') revisionReads++;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { registry: proxy, snapshots: () => snapshots, revisionReads: () => revisionReads };
}

const unitFile = (n: number): string => `[Service]\nExecStart=/bin/true ${n}\n`;

describe('the engine on an idle cluster', () => {
  const etcd = privateEtcdWithLease();

  /** A leading engine over a fresh prefix with one machine and one launched unit, once it is scheduled. */
  const startLeading = async (fullResyncMs?: number, reconcileIntervalMs = 20) => {
    const prefix = uniquePrefix('idle-engine');
    const logger = recordingLogger();
    const base = new EtcdRegistry({ client: etcd.client, logger, prefix });
    const counted = counting(base);
    await base.registerMachine(machineRecord('a'.repeat(32)), etcd.keeper);
    await base.createUnit(unitRecord('one.service', unitFile(1), 'launched'), { global: false });
    const leadership = new Leadership({ client: etcd.client, prefix, candidateId: 'engine', ttlSeconds: 5, logger });
    const engine = startEngine({ registry: counted.registry, leadership, logger, clock: systemClock, reconcileIntervalMs, fullResyncMs });
    etcd.stopFirst(async () => {
      await engine.stop();
      await leadership.stop();
    });
    leadership.start();
    await eventually(async () => (await base.listSchedule()).length === 1, { what: 'the unit scheduled' });
    return { base, engine, ...counted };
  };

  /** Waits for `passes` consecutive passes that read no snapshot. */
  const quietPasses = async (engine: Engine, snapshots: () => number, passes: number): Promise<void> => {
    let mark = { snapshots: snapshots(), passes: engine.passes() };
    await eventually(
      () => {
        if (snapshots() !== mark.snapshots) mark = { snapshots: snapshots(), passes: engine.passes() };
        return engine.passes() >= mark.passes + passes;
      },
      { what: `${passes} passes in a row without a full read`, intervalMs: 10 },
    );
  };

  it('stops reading the keyspace once settled, and reads it again when a watch reports a change', async () => {
    const { base, engine, snapshots, revisionReads } = await startLeading();
    await quietPasses(engine, snapshots, 10);
    // Within the full-resync period it does not even ask for the revision.
    expect(revisionReads()).toBe(0);

    const before = snapshots();
    await base.createUnit(unitRecord('two.service', unitFile(2), 'launched'), { global: false });
    await eventually(async () => (await base.listSchedule()).length === 2, { what: 'the second unit scheduled' });
    expect(snapshots()).toBeGreaterThan(before);
  });

  it('every full-resync period, compares revisions, and reads everything if anything was written', async () => {
    const { engine, snapshots, revisionReads } = await startLeading(100);
    await quietPasses(engine, snapshots, 10);
    await eventually(() => revisionReads() >= 2, { what: 'two revision checks' });
    await quietPasses(engine, snapshots, 10);

    // A write the engine does not watch: only the revision check can notice it.
    const before = snapshots();
    await etcd.client.put('/elsewhere/key').value('x');
    await eventually(() => snapshots() > before, { what: 'a full read after the write' });
  });

  it('counts an apply that landed in full as settled: no second read to check it', async () => {
    const { base, engine, snapshots } = await startLeading();
    await quietPasses(engine, snapshots, 10);
    const before = snapshots();
    await base.createUnit(unitRecord('two.service', unitFile(2), 'launched'), { global: false });
    await eventually(async () => (await base.listSchedule()).length === 2, { what: 'the second unit scheduled' });
    await quietPasses(engine, snapshots, 10);
    // The read that planned the placement, and none to find that nothing is left to do.
    expect(snapshots() - before).toBe(1);
  });

  it('takes the events of its own writes for no change', async () => {
    // Passes only on watched changes (the periodic one is a minute away).
    const { base, snapshots } = await startLeading(undefined, 60_000);
    await base.createUnit(unitRecord('two.service', unitFile(2), 'launched'), { global: false });
    await eventually(async () => (await base.listSchedule()).length === 2, { what: 'the second unit scheduled' });
    // One read per unit created; none for the schedule keys the engine wrote itself.
    expect(snapshots()).toBe(2);
  });
});
