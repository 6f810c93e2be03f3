import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildKeyspace } from '@fleet/core';
import { EtcdRegistry, createEtcdClient, type EtcdClient } from '@fleet/registry';
import { type EtcdServer, startEtcd } from '@fleet/testkit';
import { recordingLogger, uniquePrefix, unitRecord } from './support.js';

describe('EtcdRegistry units', () => {
  let etcd: EtcdServer;
  let client: EtcdClient;

  beforeAll(async () => {
    etcd = await startEtcd();
    client = createEtcdClient({ endpoints: [etcd.endpoint], callTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    client.close();
    await etcd.stop();
  });

  const registryFor = (what: string) =>
    new EtcdRegistry({ client, prefix: uniquePrefix(what), logger: recordingLogger() });

  it('lets exactly one of two concurrent creates with different contents win', async () => {
    for (let round = 0; round < 5; round += 1) {
      const registry = registryFor(`race-${round}`);
      const a = unitRecord('race.service', '[Service]\nExecStart=/bin/a\n');
      const b = unitRecord('race.service', '[Service]\nExecStart=/bin/b\n');
      const results = await Promise.allSettled([
        registry.createUnit(a, { global: false }),
        registry.createUnit(b, { global: false }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toMatchObject({ code: 'UNIT_EXISTS', message: 'unit race.service already exists' });
      const stored = await registry.getUnit('race.service');
      const winner = won[0]!.value.entry.unit;
      expect(stored?.unit).toEqual(winner);
      expect(lost[0]!.reason).toMatchObject({ existingHash: winner.hash });
    }
  });

  it('treats resubmitting identical contents as no change', async () => {
    const registry = registryFor('resubmit');
    const unit = unitRecord('same.service', '[Service]\nExecStart=/bin/true\n');
    const first = await registry.createUnit(unit, { global: false });
    const again = await registry.createUnit(unit, { global: false });
    expect(first.created).toBe(true);
    expect(again).toEqual({ entry: first.entry, created: false });
  });

  it('guards target-state changes with the record’s mod revision', async () => {
    const registry = registryFor('cas');
    const { entry } = await registry.createUnit(unitRecord('cas.service', 'x'), { global: false });
    const loaded = await registry.setTargetState('cas.service', 'loaded', entry.modRevision);
    expect(loaded.unit.targetState).toBe('loaded');
    expect(BigInt(loaded.modRevision)).toBeGreaterThan(BigInt(entry.modRevision));

    await expect(registry.setTargetState('cas.service', 'launched', entry.modRevision)).rejects.toMatchObject({
      code: 'CAS_CONFLICT',
    });
    expect((await registry.getUnit('cas.service'))?.unit.targetState).toBe('loaded');

    // Without an expected revision it reads, then CASes.
    const launched = await registry.setTargetState('cas.service', 'launched');
    expect(launched.unit).toEqual({ ...entry.unit, targetState: 'launched' });
    // Same target again: nothing written, nobody woken.
    expect(await registry.setTargetState('cas.service', 'launched')).toEqual(launched);

    await expect(registry.setTargetState('missing.service', 'launched')).rejects.toMatchObject({
      code: 'UNIT_NOT_FOUND',
      message: 'unit missing.service does not exist',
    });
  });

  it('settles concurrent unguarded target-state changes without losing the record', async () => {
    const registry = registryFor('cas-many');
    await registry.createUnit(unitRecord('busy.service', 'busy'), { global: false });
    const targets = ['loaded', 'launched', 'inactive', 'launched'] as const;
    const results = await Promise.all(targets.map((t) => registry.setTargetState('busy.service', t)));
    const final = await registry.getUnit('busy.service');
    expect(targets).toContain(final?.unit.targetState);
    expect(results.map((r) => r.unit.contents)).toEqual(targets.map(() => 'busy'));
  });

  it('keeps the global/ copy of a Global unit in step with units/', async () => {
    const registry = registryFor('global');
    const unit = unitRecord('log.service', '[X-Fleet]\nGlobal=true\n');
    await registry.createUnit(unit, { global: true });
    await registry.createUnit(unitRecord('plain.service', 'plain'), { global: false });
    expect((await registry.listGlobalUnits()).map((e) => e.unit)).toEqual([unit]);

    await registry.setTargetState('log.service', 'launched');
    const [global] = await registry.listGlobalUnits();
    expect(global?.unit.targetState).toBe('launched');
    expect(global?.global).toBe(true);

    // Replaced by a non-global version: the copy goes.
    const current = await registry.getUnit('log.service');
    const replaced = unitRecord('log.service', 'no longer global', 'launched');
    await registry.replaceUnit(replaced, { global: false, expectedModRevision: current!.modRevision });
    expect(await registry.listGlobalUnits()).toEqual([]);
    expect((await registry.getUnit('log.service'))?.unit).toEqual(replaced);

    await registry.replaceUnit(unit, { global: true });
    expect(await registry.destroyUnit('log.service')).toBe(true);
    expect(await registry.destroyUnit('log.service')).toBe(false);
    expect(await registry.listGlobalUnits()).toEqual([]);
    expect((await registry.listUnits()).map((e) => e.unit.name)).toEqual(['plain.service']);
  });

  it('guards replace: stale revision conflicts, missing unit is not found', async () => {
    const registry = registryFor('replace');
    const { entry } = await registry.createUnit(unitRecord('r.service', 'v1'), { global: false });
    await registry.replaceUnit(unitRecord('r.service', 'v2'), { global: false, expectedModRevision: entry.modRevision });
    await expect(
      registry.replaceUnit(unitRecord('r.service', 'v3'), { global: false, expectedModRevision: entry.modRevision }),
    ).rejects.toMatchObject({ code: 'CAS_CONFLICT' });
    await expect(registry.replaceUnit(unitRecord('nope.service', 'v1'), { global: false })).rejects.toMatchObject({
      code: 'UNIT_NOT_FOUND',
    });
  });

  it('lists units sorted by name', async () => {
    const registry = registryFor('sorted');
    for (const name of ['b.service', 'a@2.service', 'c.service', 'a@1.service']) {
      await registry.createUnit(unitRecord(name, name), { global: false });
    }
    expect((await registry.listUnits()).map((e) => e.unit.name)).toEqual([
      'a@1.service',
      'a@2.service',
      'b.service',
      'c.service',
    ]);
  });

  it('skips corrupt and foreign records with one warning each, and keeps going', async () => {
    const prefix = uniquePrefix('corrupt');
    const logger = recordingLogger();
    const registry = new EtcdRegistry({ client, prefix, logger });
    const keys = buildKeyspace(prefix);
    await registry.createUnit(unitRecord('good.service', 'good'), { global: false });
    await client.put(keys.unit('bad-json.service')).value('{"name":');
    await client.put(keys.unit('bad-shape.service')).value(JSON.stringify({ name: 'bad-shape.service' }));
    await client.put(keys.unit('renamed.service')).value(JSON.stringify(unitRecord('other.service', 'x')));
    await client.put(`${keys.unitsPrefix()}nested/key`).value('{}');

    expect((await registry.listUnits()).map((e) => e.unit.name)).toEqual(['good.service']);
    expect((await registry.snapshot()).units.map((e) => e.unit.name)).toEqual(['good.service']);
    expect(await registry.getUnit('bad-json.service')).toBeUndefined();

    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings.map((w) => [w.msg, w.fields['key'], w.fields['error']])).toEqual([
      ['skipping invalid registry record', keys.unit('bad-json.service'), expect.stringMatching(/^invalid JSON/)],
      ['skipping invalid registry record', keys.unit('bad-shape.service'), expect.stringMatching(/^hash: /)],
      ['skipping invalid registry record', `${keys.unitsPrefix()}nested/key`, 'key outside the fleet layout'],
      ['skipping invalid registry record', keys.unit('renamed.service'), 'record does not match its key'],
    ]);
    expect(warnings.every((w) => w.fields['component'] === 'registry')).toBe(true);
  });

  it('maps an unreachable etcd to ETCD_UNAVAILABLE', async () => {
    const dead = createEtcdClient({ endpoints: ['http://127.0.0.1:1'], callTimeoutMs: 500 });
    try {
      const registry = new EtcdRegistry({ client: dead, prefix: uniquePrefix('dead'), logger: recordingLogger() });
      await expect(registry.listUnits()).rejects.toMatchObject({ code: 'ETCD_UNAVAILABLE' });
    } finally {
      dead.close();
    }
  });
});
