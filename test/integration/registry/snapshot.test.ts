import { describe, expect, it } from '@jest/globals';
import { buildKeyspace, encodeStoredUnit } from '@fleet/core';
import { EtcdRegistry, type ScheduleChange, type UnitEntry } from '@fleet/registry';
import { machineRecord, privateEtcdWithLease, recordingLogger, uniquePrefix, unitRecord } from './support.js';

const unitName = (i: number): string => `u-${String(i).padStart(6, '0')}.service`;

describe('EtcdRegistry snapshots and schedule writes', () => {
  const etcd = privateEtcdWithLease();

  /** Writes units straight to etcd, 128 per txn, to set up big keyspaces fast. */
  const loadUnits = async (prefix: string, from: number, to: number): Promise<void> => {
    const keys = buildKeyspace(prefix);
    for (let start = from; start < to; start += 128) {
      const success = [];
      for (let i = start; i < Math.min(to, start + 128); i += 1) {
        const value = encodeStoredUnit({ ...unitRecord(unitName(i), `unit ${i}`), global: false });
        success.push({ request_put: { key: Buffer.from(keys.unit(unitName(i))), value: Buffer.from(value) } });
      }
      await etcd.client.kv.txn({ compare: [], success });
    }
  };

  const countAt = async (prefix: string, revision: string): Promise<number> => {
    const unitsPrefix = buildKeyspace(prefix).unitsPrefix();
    const end = Buffer.from(unitsPrefix);
    end[end.length - 1] = end[end.length - 1]! + 1;
    const response = await etcd.client.kv.range({ key: Buffer.from(unitsPrefix), range_end: end, revision, count_only: true });
    return Number(response.count);
  };

  it('reads more than 5,000 units in pages, all at one revision', async () => {
    const prefix = uniquePrefix('paging');
    await loadUnits(prefix, 0, 5_100);
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const snapshot = await registry.snapshot();
    expect(snapshot.units).toHaveLength(5_100);
    expect(snapshot.units.map((e) => e.unit.name)).toEqual(Array.from({ length: 5_100 }, (_, i) => unitName(i)));

    // Small pages while another writer adds units: the snapshot holds exactly the units at its revision.
    const paged = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger(), pageSize: 700 });
    const [during] = await Promise.all([paged.snapshot(), loadUnits(prefix, 5_100, 5_612)]);
    expect(during.units.length).toBe(await countAt(prefix, during.revision));
    expect(new Set(during.units.map((e) => e.unit.name)).size).toBe(during.units.length);
    expect((await paged.listUnits()).length).toBe(5_612);
  });

  it('gives an agent its own schedule and the Global units at one revision', async () => {
    const prefix = uniquePrefix('machine-snapshot');
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const guard = (await etcd.leadOn(prefix)).guard;
    await registry.registerMachine(machineRecord('m1'), etcd.keeper);
    await registry.registerMachine(machineRecord('m2'), etcd.keeper);
    const a = (await registry.createUnit(unitRecord('a.service', 'a', 'launched'), { global: false })).entry;
    const b = (await registry.createUnit(unitRecord('b.service', 'b', 'launched'), { global: false })).entry;
    await registry.createUnit(unitRecord('g.service', 'g', 'launched'), { global: true });
    const read = await registry.snapshot();
    await registry.applyScheduleChanges(
      [
        { kind: 'schedule', machineId: 'm1', unit: a.unit, unitRevision: a.modRevision },
        { kind: 'schedule', machineId: 'm2', unit: b.unit, unitRevision: b.modRevision },
      ],
      guard,
      read.revision,
    );
    const mine = await registry.machineSnapshot('m1');
    expect(mine.schedule.map((e) => [e.machineId, e.unit])).toEqual([['m1', a.unit]]);
    expect(mine.globals.map((e) => e.unit.name)).toEqual(['g.service']);
    expect((await registry.listSchedule()).map((e) => `${e.machineId}/${e.unit.name}`)).toEqual([
      'm1/a.service',
      'm2/b.service',
    ]);
    expect((await registry.snapshot()).schedule).toHaveLength(2);
  });

  it('packs many changes into few txns, each within the op limit', async () => {
    const prefix = uniquePrefix('batch');
    await loadUnits(prefix, 0, 300);
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const guard = (await etcd.leadOn(prefix)).guard;
    for (const m of ['m1', 'm2', 'm3']) await registry.registerMachine(machineRecord(m), etcd.keeper);
    const read = await registry.snapshot();
    const changes: ScheduleChange[] = read.units.map((entry: UnitEntry, i) => ({
      kind: 'schedule',
      machineId: `m${(i % 3) + 1}`,
      unit: entry.unit,
      unitRevision: entry.modRevision,
    }));
    const result = await registry.applyScheduleChanges(changes, guard, read.revision);
    expect(result.outcome).toBe('applied');
    expect(result.applied).toBe(300);
    // One revision per txn. Packed by machine, each change needs one compare of its own (its
    // unit's revision) next to one per machine and one range compare over its schedule keys:
    // 300 changes fit in 3 txns of ≤128 ops.
    expect(result.committed).toHaveLength(3);
    expect(Number(BigInt(result.revision) - BigInt(read.revision))).toBe(3);
    expect(await registry.listSchedule('m2')).toHaveLength(100);
  });

  it('fails the txn when anything the plan read has changed', async () => {
    const prefix = uniquePrefix('conflict');
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const guard = (await etcd.leadOn(prefix)).guard;
    await registry.registerMachine(machineRecord('m1'), etcd.keeper);
    const a = (await registry.createUnit(unitRecord('a.service', 'a', 'launched'), { global: false })).entry;
    const b = (await registry.createUnit(unitRecord('b.service', 'b', 'launched'), { global: false })).entry;
    const read = await registry.snapshot();
    const scheduleA: ScheduleChange = { kind: 'schedule', machineId: 'm1', unit: a.unit, unitRevision: a.modRevision };

    // The unit changed after the read.
    await registry.setTargetState('a.service', 'loaded');
    expect(await registry.applyScheduleChanges([scheduleA], guard, read.revision)).toEqual({
      outcome: 'conflict',
      applied: 0,
      landed: [false],
      revision: read.revision,
      committed: [],
    });

    // The target machine is not registered.
    const toMissing: ScheduleChange = { kind: 'schedule', machineId: 'gone', unit: b.unit, unitRevision: b.modRevision };
    expect((await registry.applyScheduleChanges([toMissing], guard, read.revision)).outcome).toBe('conflict');

    // The schedule key itself was written after the read (by an earlier pass).
    const scheduleB: ScheduleChange = { kind: 'schedule', machineId: 'm1', unit: b.unit, unitRevision: b.modRevision };
    expect((await registry.applyScheduleChanges([scheduleB], guard, read.revision)).outcome).toBe('applied');
    expect((await registry.applyScheduleChanges([scheduleB], guard, read.revision)).outcome).toBe('conflict');
    const unscheduleB: ScheduleChange = { kind: 'unschedule', machineId: 'm1', name: 'b.service' };
    expect((await registry.applyScheduleChanges([unscheduleB], guard, read.revision)).outcome).toBe('conflict');
    // The machine registered again after the read: its agent may already have re-read its
    // schedule, so the unit stays until a plan made from a newer read says otherwise.
    const beforeReRegister = await registry.snapshot();
    await registry.registerMachine(machineRecord('m1'), etcd.keeper);
    expect((await registry.applyScheduleChanges([unscheduleB], guard, beforeReRegister.revision)).outcome).toBe('conflict');
    const fresh = await registry.snapshot();
    expect((await registry.applyScheduleChanges([unscheduleB], guard, fresh.revision)).outcome).toBe('applied');
    expect(await registry.listSchedule('m1')).toEqual([]);
  });

  it('commits the other batches and reports which changes landed around a conflict', async () => {
    const prefix = uniquePrefix('partial');
    await loadUnits(prefix, 0, 30);
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger(), maxTxnOps: 11 });
    const guard = (await etcd.leadOn(prefix)).guard;
    await registry.registerMachine(machineRecord('m1'), etcd.keeper);
    const read = await registry.snapshot();
    const changes: ScheduleChange[] = read.units.map((entry) => ({
      kind: 'schedule',
      machineId: 'm1',
      unit: entry.unit,
      unitRevision: entry.modRevision,
    }));
    // The 25th unit changes after the read: its batch fails, the batches sent with it stand.
    await registry.setTargetState(unitName(24), 'launched');
    const result = await registry.applyScheduleChanges(changes, guard, read.revision);
    // maxTxnOps 11 = guard + 10 compares: 1 range + 1 machine + 1 per change → 8 changes per
    // txn; the four txns go out together (8 in flight) and only the last fails.
    expect(result).toMatchObject({ outcome: 'conflict', applied: 24 });
    expect(result.landed).toEqual(changes.map((_, i) => i < 24));
    // One revision per committed txn, ascending, the last one reported as `revision`.
    expect(result.committed).toHaveLength(3);
    expect(result.committed.at(-1)).toBe(result.revision);
    expect(await registry.listSchedule('m1')).toHaveLength(24);
  });

  it('writes and clears the engine’s unschedulable reasons', async () => {
    const prefix = uniquePrefix('unschedulable');
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const guard = (await etcd.leadOn(prefix)).guard;
    const record = {
      name: 'big.service',
      summary: 'no machine satisfies the requirements',
      machines: [
        { machineId: 'm1', reason: 'conflicts with a.service' },
        { machineId: 'm2', reason: 'metadata region=eu not matched' },
      ],
    };
    const read = await registry.snapshot();
    await registry.applyScheduleChanges([{ kind: 'mark-unschedulable', record }], guard, read.revision);
    expect((await registry.getUnschedulable('big.service'))?.record).toEqual(record);
    expect((await registry.listUnschedulable()).map((e) => e.record.name)).toEqual(['big.service']);
    expect((await registry.snapshot()).unschedulable.map((e) => e.record)).toEqual([record]);
    await registry.applyScheduleChanges([{ kind: 'clear-unschedulable', name: 'big.service' }], guard, read.revision);
    expect(await registry.getUnschedulable('big.service')).toBeUndefined();
  });
});
