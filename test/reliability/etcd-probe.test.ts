import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { noopLogger } from '@fleet/core';
import { createEtcdClient, createEtcdProbe, LeaseKeeper, type EtcdClient, type LeaseLoss } from '@fleet/registry';
import { dropLoopbackTraffic, type EtcdServer, eventually, startEtcd } from '@fleet/testkit';
import { holdsFor, loopbackBase } from './support.js';

/**
 * How the lease holder tells "etcd is down" from "I am cut off", on a real etcd: the probe's
 * verdict per failure mode, and a LeaseKeeper that keeps its lease across an etcd restart longer
 * than its TTL (etcd refreshes leases when it comes back) but loses it when cut off.
 */
describe('etcd probe and lease keeper', () => {
  let etcd: EtcdServer;
  const address = `${loopbackBase()}2`;

  beforeAll(async () => {
    etcd = await startEtcd({ listenAddresses: [address] });
  });
  afterAll(async () => {
    etcd.process.signal('SIGCONT');
    if (etcd.process.hasExited()) await etcd.restart().catch(() => undefined);
    await etcd.stop();
  });

  it('classifies serving, refused, silent (frozen) and unreachable (dropped) endpoints', async () => {
    const probe = createEtcdProbe({ endpoints: [etcd.endpoint], timeoutMs: 500 });
    expect(await probe()).toEqual(['serving']);
    const cut = await dropLoopbackTraffic(address, [Number(new URL(etcd.endpoint).port)]);
    try {
      expect(await createEtcdProbe({ endpoints: [etcd.endpointOn(address)], timeoutMs: 500 })()).toEqual(['unreachable']);
      expect(await probe()).toEqual(['serving']);
    } finally {
      await cut.heal();
    }
    etcd.process.signal('SIGSTOP');
    try {
      expect(await probe()).toEqual(['silent']);
    } finally {
      etcd.process.signal('SIGCONT');
    }
    await etcd.kill();
    expect(await probe()).toEqual(['refused']);
    await etcd.restart();
    expect(await probe()).toEqual(['serving']);
  });

  it('keeps its lease across an etcd outage longer than the TTL, and loses it when cut off', async () => {
    const TTL = 2;
    const endpoints = [etcd.endpointOn(address)];
    const client: EtcdClient = createEtcdClient({ endpoints, callTimeoutMs: 1_000 });
    const keeper = await LeaseKeeper.grant({ client, ttlSeconds: TTL, logger: noopLogger, probe: createEtcdProbe({ endpoints, timeoutMs: 500 }) });
    const losses: LeaseLoss[] = [];
    keeper.onLost((loss) => losses.push(loss));
    try {
      const id = keeper.id;
      await etcd.kill();
      await eventually(() => keeper.isEtcdDown(), { what: 'the keeper to see etcd down' });
      // Twice the TTL without an answer, and not lost: etcd can expire nothing while it is down.
      await holdsFor(async () => expect(losses).toEqual([]), 2 * TTL * 1000);
      await etcd.restart();
      await eventually(() => keeper.isHealthy(), { what: 'keepalives to be answered again' });
      expect(keeper.id).toBe(id);
      expect(losses).toEqual([]);

      const cut = await dropLoopbackTraffic(address, [Number(new URL(etcd.endpoint).port)]);
      const cutAt = Date.now();
      try {
        await eventually(() => losses.length > 0, { timeoutMs: 3 * TTL * 1000, what: 'the lease to be lost when cut off' });
        expect(losses[0]!.reason).toBe('no keepalive answered within the 2s TTL');
        expect(Date.now() - cutAt).toBeLessThan(TTL * 1000 + 500);
        expect(keeper.isEtcdDown()).toBe(false);
      } finally {
        await cut.heal();
      }
    } finally {
      keeper.release();
      client.close();
    }
  }, 60_000);
});
