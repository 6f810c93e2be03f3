import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  EtcdRegistry,
  LeaseKeeper,
  createEtcdClient,
  type EtcdClient,
  type LeaseLoss,
  type RegistryEvent,
} from '@fleet/registry';
import { type EtcdServer, eventually, startEtcd } from '@fleet/testkit';
import { machineRecord, recordingLogger, uniquePrefix, unitState } from './support.js';

const TTL = 2;

describe('LeaseKeeper and lease-bound keys', () => {
  let etcd: EtcdServer;
  let client: EtcdClient;
  const keepers: LeaseKeeper[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    client = createEtcdClient({ endpoints: [etcd.endpoint], callTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await Promise.allSettled(keepers.map((k) => k.revoke()));
    client.close();
    await etcd.stop();
  });

  const grant = async (): Promise<LeaseKeeper> => {
    const keeper = await LeaseKeeper.grant({ client, ttlSeconds: TTL, logger: recordingLogger() });
    keepers.push(keeper);
    return keeper;
  };
  const registryFor = (what: string) =>
    new EtcdRegistry({ client, prefix: uniquePrefix(what), logger: recordingLogger() });

  it('keeps the lease, and the machine key, alive across several TTLs', async () => {
    const registry = registryFor('alive');
    const keeper = await grant();
    const start = Date.now();
    await registry.registerMachine(machineRecord('m1'), keeper);
    await eventually(() => keeper.lastKeepAliveAt > start + 2.5 * TTL * 1000, {
      timeoutMs: 4 * TTL * 1000,
      what: 'keepalives for 2.5 TTLs',
    });
    expect(keeper.isHealthy()).toBe(true);
    expect((await registry.listMachines()).map((m) => [m.machine.id, m.leaseId])).toEqual([['m1', keeper.id]]);
  });

  it('loses the machine key about one TTL after keepalives stop (as after SIGKILL)', async () => {
    const registry = registryFor('expire');
    const keeper = await grant();
    const entry = await registry.registerMachine(machineRecord('m2'), keeper);
    const deleted: RegistryEvent[] = [];
    const watch = await registry.watchPrefix({ kind: 'machines' }, entry.modRevision, {
      onEvent: (e) => deleted.push(e),
      onResync: () => undefined,
    });
    try {
      const stoppedAt = Date.now();
      keeper.release();
      expect(keeper.isHealthy()).toBe(false);
      await eventually(() => deleted.length === 1, { timeoutMs: TTL * 1000 + 2_000, what: 'machine key deletion' });
      const elapsed = Date.now() - stoppedAt;
      // Server-side expiry: last keepalive + TTL, so between TTL − TTL/3 and TTL (+ slack).
      expect(elapsed).toBeGreaterThan((TTL * 1000 * 2) / 3 - 300);
      expect(elapsed).toBeLessThan(TTL * 1000 + 1_200);
      expect(deleted[0]).toMatchObject({ kind: 'machines', type: 'delete', machineId: 'm2' });
      expect(await registry.listMachines()).toEqual([]);
    } finally {
      await watch.close();
    }
  });

  it('refuses a machine id held by another lease, and re-registers under its own', async () => {
    const registry = registryFor('duplicate');
    const first = await grant();
    const second = await grant();
    await registry.registerMachine(machineRecord('dup'), first);
    await expect(registry.registerMachine(machineRecord('dup'), second)).rejects.toMatchObject({
      code: 'MACHINE_EXISTS',
      holderLeaseId: first.id,
    });
    const updated = await registry.registerMachine(machineRecord('dup', { publicIp: '10.1.1.1' }), first);
    expect(updated.machine.publicIp).toBe('10.1.1.1');
    expect(await registry.deregisterMachine('dup', second)).toBe(false);
    expect(await registry.deregisterMachine('dup', first)).toBe(true);
    expect(await registry.listMachines()).toEqual([]);
  });

  it('adopts a live lease id after a restart, keeping its keys; grants anew when it is gone', async () => {
    const registry = registryFor('adopt');
    const old = await grant();
    await registry.registerMachine(machineRecord('restarted'), old);
    old.release(); // the process "exits" without revoking

    const { keeper, adopted } = await LeaseKeeper.adopt({
      client,
      ttlSeconds: TTL,
      logger: recordingLogger(),
      leaseId: old.id,
    });
    keepers.push(keeper);
    expect(adopted).toBe(true);
    expect(keeper.id).toBe(old.id);
    const adoptedAt = Date.now();
    await eventually(() => keeper.lastKeepAliveAt > adoptedAt + 2 * TTL * 1000, {
      timeoutMs: 4 * TTL * 1000,
      what: 'the adopted lease to outlive its first TTL',
    });
    expect((await registry.listMachines()).map((m) => m.leaseId)).toEqual([old.id]);

    await keeper.revoke();
    const fresh = await LeaseKeeper.adopt({ client, ttlSeconds: TTL, logger: recordingLogger(), leaseId: old.id });
    keepers.push(fresh.keeper);
    expect(fresh.adopted).toBe(false);
    expect(fresh.keeper.id).not.toBe(old.id);
    expect(fresh.keeper.isHealthy()).toBe(true);
  });

  it('reports a lease etcd dropped as lost once, and re-grants a new one', async () => {
    const keeper = await grant();
    const losses: LeaseLoss[] = [];
    keeper.onLost((loss) => losses.push(loss));
    const lostId = keeper.id;
    await client.leaseClient.leaseRevoke({ ID: lostId });
    await eventually(() => losses.length > 0, { timeoutMs: TTL * 1000, what: 'lost' });
    expect(losses).toEqual([{ leaseId: lostId, reason: 'etcd reports the lease expired' }]);
    expect(keeper.isHealthy()).toBe(false);

    const regrant = await keeper.regrant();
    expect(regrant.resumed).toBe(false);
    expect(regrant.leaseId).not.toBe(lostId);
    expect(keeper.id).toBe(regrant.leaseId);
    expect(keeper.isHealthy()).toBe(true);
    expect(losses).toHaveLength(1);
  });

  it('resumes the same lease on regrant when etcd still has it', async () => {
    const keeper = await grant();
    const id = keeper.id;
    expect(await keeper.regrant()).toEqual({ leaseId: id, resumed: true });
    expect(keeper.isHealthy()).toBe(true);
  });

  it('binds published unit states to the lease', async () => {
    const registry = registryFor('states');
    const keeper = await grant();
    const hash = 'b'.repeat(40);
    await registry.publishState(unitState('a.service', 'm1', hash), keeper);
    await registry.publishState(unitState('a.service', 'm2', hash), keeper);
    await registry.publishState(unitState('b.service', 'm1', hash), keeper);
    expect((await registry.listStates('a.service')).map((s) => s.state.machineId)).toEqual(['m1', 'm2']);
    expect((await registry.listStates()).map((s) => [s.state.name, s.state.machineId, s.leaseId])).toEqual([
      ['a.service', 'm1', keeper.id],
      ['a.service', 'm2', keeper.id],
      ['b.service', 'm1', keeper.id],
    ]);
    await registry.deleteState('a.service', 'm2');
    expect((await registry.listStates('a.service')).map((s) => s.state.machineId)).toEqual(['m1']);
    await keeper.revoke();
    expect(await registry.listStates()).toEqual([]);
  });

  it('publishes many states in txns of at most maxTxnOps, each bound to the lease', async () => {
    const registry = new EtcdRegistry({ client, prefix: uniquePrefix('batched-states'), logger: recordingLogger(), maxTxnOps: 4 });
    const keeper = await grant();
    const hash = 'c'.repeat(40);
    const names = Array.from({ length: 10 }, (_, i) => `u${i}.service`);
    const before = await registry.currentRevision();
    await registry.publishStates(names.map((name) => unitState(name, 'm1', hash)), keeper);
    const states = await registry.listStates();
    expect(states.map((s) => [s.state.name, s.leaseId])).toEqual(names.sort().map((name) => [name, keeper.id]));
    // Three txns of 4, 4 and 2 puts: three revisions.
    expect(new Set(states.map((s) => s.modRevision)).size).toBe(3);
    expect(BigInt(await registry.currentRevision()) - BigInt(before)).toBe(3n);
  });
});
