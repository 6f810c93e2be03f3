import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EtcdRegistry, LeaseKeeper, createEtcdClient, type EtcdClient, type LeaseLoss } from '@fleet/registry';
import { type EtcdServer, eventually, startEtcd } from '@fleet/testkit';
import { machineRecord, recordingLogger, uniquePrefix } from './support.js';

const TTL = 3;

// Its own etcd: this file freezes it.
describe('LeaseKeeper self-fencing', () => {
  let etcd: EtcdServer;
  let client: EtcdClient;
  let keeper: LeaseKeeper | undefined;

  beforeAll(async () => {
    etcd = await startEtcd();
    client = createEtcdClient({ endpoints: [etcd.endpoint], callTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    etcd.process.signal('SIGCONT');
    await keeper?.revoke().catch(() => undefined);
    client.close();
    await etcd.stop();
  });

  it('reports lost about one TTL after etcd freezes (not etcd3’s 2×TTL), then recovers', async () => {
    const registry = new EtcdRegistry({ client, prefix: uniquePrefix('fence'), logger: recordingLogger() });
    keeper = await LeaseKeeper.grant({ client, ttlSeconds: TTL, logger: recordingLogger() });
    await registry.registerMachine(machineRecord('frozen'), keeper);
    const granted = Date.now();
    await eventually(() => keeper!.lastKeepAliveAt > granted, { what: 'a keepalive answered' });

    const losses: { loss: LeaseLoss; at: number }[] = [];
    keeper.onLost((loss) => losses.push({ loss, at: Date.now() }));
    const frozenAt = Date.now();
    const lastBeforeFreeze = keeper.lastKeepAliveAt;
    etcd.process.signal('SIGSTOP');
    try {
      await eventually(() => losses.length > 0, { timeoutMs: 2 * TTL * 1000, what: 'lease lost' });
      const elapsed = losses[0]!.at - frozenAt;
      // Lost at (last answered keepalive's send time) + TTL; that keepalive was at most TTL/3 old.
      expect(losses[0]!.at - lastBeforeFreeze).toBeGreaterThanOrEqual(TTL * 1000 - 50);
      expect(elapsed).toBeGreaterThan((TTL * 1000 * 2) / 3 - 300);
      expect(elapsed).toBeLessThan(TTL * 1000 + 700);
      expect(losses[0]!.loss.reason).toBe('no keepalive answered within the 3s TTL');
      expect(keeper.isHealthy()).toBe(false);
    } finally {
      etcd.process.signal('SIGCONT');
    }

    // etcd expires the lease on waking (its TTL passed without a leader change), so the
    // keeper gets a new one and the agent registers again under it.
    const lostId = losses[0]!.loss.leaseId;
    const { leaseId, resumed } = await eventually(() => keeper!.regrant(), { what: 'regrant after SIGCONT' });
    expect(resumed).toBe(false);
    expect(leaseId).not.toBe(lostId);
    await eventually(async () => (await registry.listMachines()).length === 0, { what: 'old machine key expiry' });
    await registry.registerMachine(machineRecord('frozen'), keeper);
    expect((await registry.listMachines()).map((m) => m.leaseId)).toEqual([leaseId]);
    expect(losses).toHaveLength(1);
  });
});
