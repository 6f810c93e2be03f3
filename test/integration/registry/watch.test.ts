import { describe, expect, it } from '@jest/globals';
import { buildKeyspace } from '@fleet/core';
import {
  EtcdRegistry,
  createEtcdClient,
  type RegistryEvent,
  type RegistryWatch,
  type ResyncReason,
  type WatchTarget,
} from '@fleet/registry';
import { eventually } from '@fleet/testkit';
import { machineRecord, privateEtcdWithLease, recordingLogger, uniquePrefix, unitRecord, unitState } from './support.js';
import { startTcpProxy } from './tcp-proxy.js';

/** Short description of an event, for exact sequence assertions. */
function describeEvent(event: RegistryEvent): string {
  switch (event.kind) {
    case 'schedule':
      return event.type === 'put'
        ? `put ${event.entry.machineId}/${event.entry.unit.name} ${event.entry.unit.targetState}`
        : `delete ${event.machineId}/${event.name}`;
    case 'units':
    case 'global':
      return event.type === 'put' ? `put ${event.entry.unit.name} ${event.entry.unit.targetState}` : `delete ${event.name}`;
    case 'machines':
      return event.type === 'put' ? `put ${event.entry.machine.id}` : `delete ${event.machineId}`;
    case 'states':
      return event.type === 'put' ? `put ${event.entry.state.name}/${event.entry.state.machineId}` : `delete ${event.name}`;
  }
}

describe('EtcdRegistry watches', () => {
  const etcd = privateEtcdWithLease();
  const watches: RegistryWatch[] = [];
  etcd.stopFirst(() => Promise.allSettled(watches.map((w) => w.close())));

  const collect = async (registry: EtcdRegistry, target: WatchTarget, afterRevision?: string) => {
    const events: string[] = [];
    const resyncs: ResyncReason[] = [];
    const watch = await registry.watchPrefix(target, afterRevision, {
      onEvent: (e) => events.push(describeEvent(e)),
      onResync: (reason) => resyncs.push(reason),
    });
    watches.push(watch);
    return { events, resyncs, watch };
  };

  it('delivers a machine’s schedule changes to that machine’s watcher only', async () => {
    const prefix = uniquePrefix('per-machine');
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const { guard } = await etcd.leadOn(prefix);
    await registry.registerMachine(machineRecord('m1'), etcd.keeper);
    await registry.registerMachine(machineRecord('m2'), etcd.keeper);
    const a = (await registry.createUnit(unitRecord('a.service', 'a', 'launched'), { global: false })).entry;
    const b = (await registry.createUnit(unitRecord('b.service', 'b', 'launched'), { global: false })).entry;
    const c = (await registry.createUnit(unitRecord('c.service', 'c', 'loaded'), { global: false })).entry;
    const m1 = await collect(registry, { kind: 'schedule', machineId: 'm1' });
    const m2 = await collect(registry, { kind: 'schedule', machineId: 'm2' });
    const all = await collect(registry, { kind: 'schedule' });

    let read = await registry.snapshot();
    const first = await registry.applyScheduleChanges(
      [
        { kind: 'schedule', machineId: 'm1', unit: a.unit, unitRevision: a.modRevision },
        { kind: 'schedule', machineId: 'm2', unit: b.unit, unitRevision: b.modRevision },
      ],
      guard,
      read.revision,
    );
    expect(first.outcome).toBe('applied');
    read = await registry.snapshot();
    await registry.applyScheduleChanges([{ kind: 'unschedule', machineId: 'm1', name: 'a.service' }], guard, read.revision);
    read = await registry.snapshot();
    await registry.applyScheduleChanges(
      [{ kind: 'schedule', machineId: 'm2', unit: c.unit, unitRevision: c.modRevision }],
      guard,
      read.revision,
    );

    await eventually(() => m2.events.length === 2, { what: 'm2 to see its two puts' });
    await eventually(() => all.events.length === 4, { what: 'the engine-wide watch to see all four' });
    expect(m1.events).toEqual(['put m1/a.service launched', 'delete m1/a.service']);
    expect(m2.events).toEqual(['put m2/b.service launched', 'put m2/c.service loaded']);
    expect(all.events).toEqual([
      'put m1/a.service launched',
      'put m2/b.service launched',
      'delete m1/a.service',
      'put m2/c.service loaded',
    ]);
    expect([m1.resyncs, m2.resyncs, all.resyncs]).toEqual([[], [], []]);
  });

  it('wakes global/ watchers for Global units only, and units/ watchers for every unit', async () => {
    const prefix = uniquePrefix('global');
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const globals = await collect(registry, { kind: 'global' });
    const units = await collect(registry, { kind: 'units' });
    await registry.createUnit(unitRecord('plain.service', 'p'), { global: false });
    await registry.createUnit(unitRecord('everywhere.service', 'g'), { global: true });
    await registry.setTargetState('everywhere.service', 'launched');
    await registry.setTargetState('plain.service', 'launched');
    await registry.destroyUnit('everywhere.service');
    await eventually(() => units.events.length === 5, { what: 'unit events' });
    await eventually(() => globals.events.length === 3, { what: 'global events' });
    expect(globals.events).toEqual([
      'put everywhere.service inactive',
      'put everywhere.service launched',
      'delete everywhere.service',
    ]);
    expect(units.events).toEqual([
      'put plain.service inactive',
      'put everywhere.service inactive',
      'put everywhere.service launched',
      'put plain.service launched',
      'delete everywhere.service',
    ]);
  });

  it("delivers one unit's state changes to that unit's watcher only", async () => {
    const prefix = uniquePrefix('unit-states');
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const one = await collect(registry, { kind: 'states', name: 'web@1.service' });
    const all = await collect(registry, { kind: 'states' });
    // web@10's keys start with web@1's name: only the key's separator keeps them apart.
    await registry.publishState(unitState('web@10.service', 'm1', 'a'.repeat(40)), etcd.keeper);
    await registry.publishState(unitState('web@1.service', 'm1', 'a'.repeat(40)), etcd.keeper);
    await registry.publishState(unitState('web@1.service', 'm2', 'a'.repeat(40)), etcd.keeper);
    await registry.deleteState('web@1.service', 'm1');
    await eventually(() => all.events.length === 4, { what: 'every state event' });
    await eventually(() => one.events.length === 3, { what: "web@1's state events" });
    expect(one.events).toEqual(['put web@1.service/m1', 'put web@1.service/m2', 'delete web@1.service']);
  });

  it('reports the revision of every change to a change watcher, corrupt values included', async () => {
    const prefix = uniquePrefix('changes');
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const revisions: string[] = [];
    const resyncs: ResyncReason[] = [];
    watches.push(await registry.watchChanges({ kind: 'units' }, undefined, { onChange: (r) => revisions.push(r), onResync: (r) => resyncs.push(r) }));
    const { entry } = await registry.createUnit(unitRecord('c.service', 'c'), { global: false });
    const corrupt = await etcd.client.put(buildKeyspace(prefix).unit('bad.service')).value('{not json').exec();
    await registry.destroyUnit('c.service');
    const after = await registry.currentRevision();
    await eventually(() => revisions.length === 3, { what: 'three changes' });
    expect(revisions).toEqual([entry.modRevision, corrupt.header.revision, after]);
    expect(resyncs).toEqual([]);
  });

  it('replays history after a given revision before live events', async () => {
    const prefix = uniquePrefix('replay');
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const { entry } = await registry.createUnit(unitRecord('r.service', 'r'), { global: false });
    await registry.setTargetState('r.service', 'loaded');
    await registry.createUnit(unitRecord('s.service', 's'), { global: false });
    const watch = await collect(registry, { kind: 'units' }, entry.modRevision);
    await registry.destroyUnit('r.service');
    await eventually(() => watch.events.length === 3, { what: 'replayed and live events' });
    expect(watch.events).toEqual(['put r.service loaded', 'put s.service inactive', 'delete r.service']);
  });

  it('skips a corrupt value with a warning and delivers the next good one', async () => {
    const prefix = uniquePrefix('corrupt-watch');
    const logger = recordingLogger();
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger });
    const watch = await collect(registry, { kind: 'machines' });
    await etcd.client.put(buildKeyspace(prefix).machine('bad')).value('not json');
    await registry.registerMachine(machineRecord('good'), etcd.keeper);
    await eventually(() => watch.events.length === 1, { what: 'the good machine' });
    expect(watch.events).toEqual(['put good']);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => [l.msg, l.fields['key']])).toEqual([
      ['skipping invalid registry record', buildKeyspace(prefix).machine('bad')],
    ]);
  });

  it('asks for a resync and watches from now when the start revision was compacted', async () => {
    const prefix = uniquePrefix('compacted');
    const registry = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
    const { entry } = await registry.createUnit(unitRecord('old.service', 'o'), { global: false });
    await registry.setTargetState('old.service', 'loaded');
    const latest = await registry.createUnit(unitRecord('new.service', 'n'), { global: false });
    // History before the latest revision is gone, including the revision after `entry`.
    await etcd.client.kv.compact({ revision: latest.entry.modRevision, physical: true });

    const watch = await collect(registry, { kind: 'units' }, entry.modRevision);
    await eventually(() => watch.resyncs.length === 1, { what: 'resync' });
    expect(watch.resyncs).toEqual(['restarted']);
    await registry.setTargetState('old.service', 'launched');
    await eventually(() => watch.events.length === 1, { what: 'a live event after the restart' });
    expect(watch.events).toEqual(['put old.service launched']);
  });

  it('asks for a resync when the watch reconnects after losing etcd', async () => {
    const prefix = uniquePrefix('reconnect');
    const proxy = await startTcpProxy(etcd.server.endpoint);
    const proxied = createEtcdClient({ endpoints: [proxy.endpoint], callTimeoutMs: 1_000 });
    try {
      const watcherSide = new EtcdRegistry({ client: proxied, prefix, logger: recordingLogger() });
      const writer = new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger() });
      const watch = await collect(watcherSide, { kind: 'units' });
      await writer.createUnit(unitRecord('before.service', 'b'), { global: false });
      await eventually(() => watch.events.length === 1, { what: 'the first event' });

      await proxy.cut();
      await writer.createUnit(unitRecord('during.service', 'd'), { global: false });
      await proxy.restore();
      await eventually(() => watch.resyncs.length === 1, { what: 'resync after reconnecting' });
      expect(watch.resyncs).toEqual(['reconnected']);
      // etcd3 resumed from its last revision, so the change made while cut off arrives too.
      await eventually(() => watch.events.length === 2, { what: 'the missed event' });
      expect(watch.events).toEqual(['put before.service inactive', 'put during.service inactive']);
      await watch.watch.close();
    } finally {
      proxied.close();
      await proxy.cut();
    }
  });
});
