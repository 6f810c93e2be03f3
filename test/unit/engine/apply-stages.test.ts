import { describe, expect, it } from '@jest/globals';
import type { UnitRecord } from '@fleet/core';
import { markStages, type LoggedChange } from '@fleet/engine';

const rec = (name: string): UnitRecord => ({ name, hash: 'a'.repeat(40), contents: '[Container]\nImage=x\n', targetState: 'launched' });
const schedule = (name: string, machineId = 'm1'): LoggedChange => ({
  change: { kind: 'schedule', machineId, unit: rec(name), unitRevision: '7' },
  reason: 'r',
});
const unschedule = (name: string, machineId = 'm1'): LoggedChange => ({ change: { kind: 'unschedule', machineId, name }, reason: 'r' });
const mark = (name: string): LoggedChange => ({
  change: { kind: 'mark-unschedulable', record: { name, summary: 's', machines: [] } },
  reason: 's',
});
const starts = (changes: readonly LoggedChange[]): boolean[] => changes.map((c) => c.change.afterEarlier === true);

describe('markStages', () => {
  it('leaves independent placements in one stage', () => {
    const changes = [schedule('a.service'), schedule('b.service', 'm2'), mark('c.service')];
    expect(starts(markStages(changes, new Set()))).toEqual([false, false, false]);
  });

  it('lands the unschedules before anything that follows them', () => {
    const changes = [unschedule('a.service'), unschedule('b.service'), schedule('a.service', 'm2'), schedule('c.service')];
    expect(starts(markStages(changes, new Set()))).toEqual([false, false, true, false]);
  });

  it('starts a stage at a MachineOf follower placed after other placements, and after it again only for followers', () => {
    const followers = new Set(['b.service', 'd.service']);
    const changes = [schedule('a.service'), schedule('b.service'), schedule('c.service'), schedule('d.service')];
    expect(starts(markStages(changes, followers))).toEqual([false, true, false, true]);
    // A follower with nothing placed before it in its stage needs no stage of its own.
    expect(starts(markStages([unschedule('x.service'), schedule('b.service')], followers))).toEqual([false, true]);
    expect(starts(markStages([schedule('b.service'), schedule('a.service')], followers))).toEqual([false, false]);
  });

  it('keeps each change and its reason, only marking it', () => {
    const changes = [unschedule('a.service'), schedule('a.service', 'm2')];
    const marked = markStages(changes, new Set());
    expect(marked[1]).toEqual({ ...changes[1], change: { ...changes[1]!.change, afterEarlier: true } });
    expect(marked[0]).toBe(changes[0]);
  });
});
