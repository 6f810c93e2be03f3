import { describe, expect, it } from '@jest/globals';
import { EtcdRegistry, type ScheduleChange, type UnitEntry } from '@fleet/registry';
import { machineRecord, privateEtcdWithLease, recordingLogger, uniquePrefix, unitRecord } from './support.js';

/**
 * applyScheduleChanges with several txns in flight: what lands when one of them conflicts, how
 * stages order the changes, and the range compare over each txn's schedule keys.
 */
describe('EtcdRegistry schedule writes, several txns in flight', () => {
  const etcd = privateEtcdWithLease();

  /** A registry whose txns carry 4 changes each (guard, range, machine and 4 unit compares ≤ 7). */
  const setUp = async (what: string, units: number, machines: readonly string[]) => {
    const prefix = uniquePrefix(what);
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger(), maxTxnOps: 7, maxTxnsInFlight: 16 });
    const { guard, leadership } = await etcd.leadOn(prefix);
    for (const m of machines) await registry.registerMachine(machineRecord(m), etcd.keeper);
    for (let i = 0; i < units; i++) {
      await registry.createUnit(unitRecord(`u${String(i).padStart(3, '0')}.service`, `unit ${i}`, 'launched'), { global: false });
    }
    const read = await registry.snapshot();
    return { registry, guard, leadership, read };
  };

  const schedule = (entry: UnitEntry, machineId: string): ScheduleChange => ({
    kind: 'schedule',
    machineId,
    unit: entry.unit,
    unitRevision: entry.modRevision,
  });

  it('lands the other txns of a stage but never a conflicting one, and says which changes landed', async () => {
    const { registry, guard, read } = await setUp('in-flight', 32, ['m1']);
    const changes = read.units.map((entry) => schedule(entry, 'm1'));
    // Units 9 and 10 sit in the third txn (changes 8–11): it fails as a whole.
    await registry.setTargetState('u009.service', 'loaded');
    const result = await registry.applyScheduleChanges(changes, guard, read.revision);
    expect(result.outcome).toBe('conflict');
    const inThird = (i: number): boolean => i >= 8 && i < 12;
    // The first txns go out together (the window starts at 8): those beside the failing
    // one land, it never does; later ones may or may not have been sent before its answer.
    for (const [i, landed] of result.landed.entries()) if (inThird(i)) expect(landed).toBe(false);
    for (let i = 0; i < 16; i++) if (!inThird(i)) expect(result.landed[i]).toBe(true);
    const stored = new Set((await registry.listSchedule('m1')).map((e) => e.unit.name));
    expect(result.landed).toEqual(changes.map((c) => c.kind === 'schedule' && stored.has(c.unit.name)));
    expect(result.applied).toBe(stored.size);
    expect(result.committed).toHaveLength(stored.size / 4);
    expect([...result.committed].sort((a, b) => Number(a) - Number(b))).toEqual(result.committed);
    expect(result.revision).toBe(result.committed.at(-1) ?? read.revision);
  });

  it('sends nothing of a later stage once an earlier one failed', async () => {
    const { registry, guard, read } = await setUp('stages', 6, ['m1', 'm2']);
    const first = await registry.applyScheduleChanges([schedule(read.units[0]!, 'm1')], guard, read.revision);
    expect(first.outcome).toBe('applied');
    // Planned from the old read: the unschedule conflicts (the key changed since), so the
    // placements that were to follow it must not land.
    const changes: ScheduleChange[] = [
      { kind: 'unschedule', machineId: 'm1', name: 'u000.service' },
      { ...schedule(read.units[1]!, 'm2'), afterEarlier: true },
      schedule(read.units[2]!, 'm2'),
    ];
    const result = await registry.applyScheduleChanges(changes, guard, read.revision);
    expect(result).toMatchObject({ outcome: 'conflict', applied: 0, landed: [false, false, false], committed: [] });
    expect(await registry.listSchedule('m2')).toEqual([]);

    // From a fresh read the same stages all land, the unschedule first.
    const fresh = await registry.snapshot();
    const again: ScheduleChange[] = [changes[0]!, { ...schedule(fresh.units[1]!, 'm2'), afterEarlier: true }, schedule(fresh.units[2]!, 'm2')];
    const done = await registry.applyScheduleChanges(again, guard, fresh.revision);
    expect(done).toMatchObject({ outcome: 'applied', applied: 3, landed: [true, true, true] });
    expect(done.committed).toHaveLength(2);
    expect(BigInt(done.committed[0]!)).toBeLessThan(BigInt(done.committed[1]!));
    expect((await registry.listSchedule()).map((e) => `${e.machineId}/${e.unit.name}`)).toEqual(['m2/u001.service', 'm2/u002.service']);
  });

  it('fails a txn when any schedule key within its range changed since the read', async () => {
    const { registry, guard, read } = await setUp('range', 3, ['m1']);
    // Another pass (an earlier leader term) placed u001 after this plan's read.
    expect((await registry.applyScheduleChanges([schedule(read.units[1]!, 'm1')], guard, read.revision)).outcome).toBe('applied');
    const result = await registry.applyScheduleChanges(
      [schedule(read.units[0]!, 'm1'), schedule(read.units[2]!, 'm1')],
      guard,
      read.revision,
    );
    expect(result).toMatchObject({ outcome: 'conflict', applied: 0, landed: [false, false] });
  });

  it('compares key by key after an earlier stage put schedule keys, so its own writes do not fail it', async () => {
    const { registry, guard, read } = await setUp('later-stage', 3, ['m1']);
    // Stage 2's keys (u000, u002) surround the key stage 1 writes (u001).
    const changes: ScheduleChange[] = [
      schedule(read.units[1]!, 'm1'),
      { ...schedule(read.units[0]!, 'm1'), afterEarlier: true },
      schedule(read.units[2]!, 'm1'),
    ];
    const result = await registry.applyScheduleChanges(changes, guard, read.revision);
    expect(result).toMatchObject({ outcome: 'applied', applied: 3, landed: [true, true, true] });
    expect(await registry.listSchedule('m1')).toHaveLength(3);
  });

  it('lands nothing once the guard fails, whatever is in flight', async () => {
    const { registry, guard, leadership, read } = await setUp('deposed', 16, ['m1']);
    await leadership.stop();
    const result = await registry.applyScheduleChanges(read.units.map((e) => schedule(e, 'm1')), guard, read.revision);
    expect(result).toMatchObject({ outcome: 'not-leader', applied: 0, committed: [] });
    expect(result.landed.every((l) => !l)).toBe(true);
    expect(await registry.listSchedule('m1')).toEqual([]);
  });
});
