import { describe, expect, it } from '@jest/globals';
import { buildKeyspace } from '@fleet/core';
import { EtcdRegistry, UnitExistsError } from '@fleet/registry';
import { privateEtcd, recordingLogger, uniquePrefix, unitRecord } from './support.js';

/** EtcdRegistry.createUnits (fleetctl submit's batched create) against a real etcd. */
describe('EtcdRegistry.createUnits', () => {
  const etcd = privateEtcd();

  /** Small txns, so a few dozen units already take several. */
  const registryFor = (what: string, maxTxnOps = 8) => {
    const prefix = uniquePrefix(what);
    return { prefix, registry: new EtcdRegistry({ client: etcd.client, prefix, logger: recordingLogger(), maxTxnOps }) };
  };
  const unit = (i: number, text = 'a') => unitRecord(`u${String(i).padStart(3, '0')}.service`, `[Service]\nExecStart=/bin/${text}${i}\n`);
  const rawValue = async (key: string) => (await etcd.client.get(key).string()) ?? undefined;

  it('creates every unit, over many txns, with the entries createUnit would return', async () => {
    const { registry } = registryFor('many');
    const units = Array.from({ length: 50 }, (_, i) => ({ unit: unit(i), global: i % 7 === 0 }));
    const outcomes = await registry.createUnits(units);
    expect(outcomes).toHaveLength(50);
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome).toMatchObject({ ok: true, created: true, entry: { unit: units[i]!.unit, global: units[i]!.global } });
      const stored = await registry.getUnit(units[i]!.unit.name);
      expect(stored).toEqual(outcome.ok ? outcome.entry : undefined);
    }
    const globals = (await registry.listGlobalUnits()).map((e) => e.unit.name);
    expect(globals).toEqual(units.filter((u) => u.global).map((u) => u.unit.name));
  });

  it('gives each unit of a txn that meets registered units its own outcome, and writes nothing for a rejected one', async () => {
    const { prefix, registry } = registryFor('mixed');
    const keys = buildKeyspace(prefix);
    const same = unit(1);
    const other = unit(2, 'old');
    const otherGlobal = unit(3, 'old');
    const registeredSame = await registry.createUnit(same, { global: false });
    await registry.createUnit(other, { global: false });
    await registry.createUnit(otherGlobal, { global: false });
    const storedOther = await rawValue(keys.unit(other.name));

    const units = [
      { unit: unit(0), global: false },
      { unit: same, global: false },
      { unit: unit(2, 'new'), global: false },
      { unit: unit(3, 'new'), global: true },
      { unit: unit(4), global: true },
    ];
    const outcomes = await registry.createUnits(units);

    expect(outcomes[0]).toMatchObject({ ok: true, created: true });
    expect(outcomes[1]).toEqual({ ok: true, created: false, entry: registeredSame.entry });
    for (const [i, old] of [[2, other], [3, otherGlobal]] as const) {
      const outcome = outcomes[i]!;
      expect(outcome.ok).toBe(false);
      if (outcome.ok) continue;
      expect(outcome.error).toBeInstanceOf(UnitExistsError);
      expect(outcome.error).toMatchObject({ code: 'UNIT_EXISTS', message: `unit ${old.name} already exists`, existingHash: old.hash });
      expect((await registry.getUnit(old.name))?.unit).toEqual(old);
    }
    expect(await rawValue(keys.unit(other.name))).toBe(storedOther);
    // The rejected Global unit left no global copy; the created one has its copy.
    expect(await rawValue(keys.global(otherGlobal.name))).toBeUndefined();
    expect(outcomes[4]).toMatchObject({ ok: true, created: true, entry: { global: true } });
    expect((await registry.listGlobalUnits()).map((e) => e.unit.name)).toEqual([units[4]!.unit.name]);
  });

  it('lets exactly one of a batched create and a single create with other contents win', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { registry } = registryFor(`race-${round}`, 128);
      const batch = Array.from({ length: 20 }, (_, i) => ({ unit: unit(i, 'batch'), global: false }));
      const rival = unit(10, 'rival');
      const [outcomes, single] = await Promise.all([
        registry.createUnits(batch),
        registry.createUnit(rival, { global: false }).then(
          (r) => r,
          (error: unknown) => error,
        ),
      ]);
      const stored = await registry.getUnit(rival.name);
      const batchWon = outcomes[10]!.ok;
      expect(single instanceof UnitExistsError).toBe(batchWon);
      expect(stored?.unit).toEqual(batchWon ? batch[10]!.unit : rival);
      // The rest of the batch is created whoever won.
      expect(outcomes.filter((o, i) => i !== 10 && o.ok && o.created)).toHaveLength(19);
    }
  });

  it('refuses repeated names and takes an empty list', async () => {
    const { registry } = registryFor('edges');
    await expect(registry.createUnits([{ unit: unit(1), global: false }, { unit: unit(1), global: true }])).rejects.toThrow(RangeError);
    expect(await registry.listUnits()).toEqual([]);
    expect(await registry.createUnits([])).toEqual([]);
  });
});
