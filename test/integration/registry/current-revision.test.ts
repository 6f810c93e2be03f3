import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EtcdRegistry, createEtcdClient, type EtcdClient } from '@fleet/registry';
import { type EtcdServer, startEtcd } from '@fleet/testkit';
import { recordingLogger, uniquePrefix, unitRecord } from './support.js';

describe('EtcdRegistry.currentRevision', () => {
  let etcd: EtcdServer;
  let client: EtcdClient;

  beforeAll(async () => {
    etcd = await startEtcd();
    client = createEtcdClient({ endpoints: [etcd.endpoint], callTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    client.close();
    await etcd.stop();
  });

  it('equals the revision of a snapshot taken since the last write, and moves with any write', async () => {
    const registry = new EtcdRegistry({ client, logger: recordingLogger(), prefix: uniquePrefix('revision') });
    await registry.createUnit(unitRecord('a.service', 'a'), { global: false });
    const snapshot = await registry.snapshot();
    expect(await registry.currentRevision()).toBe(snapshot.revision);

    // A write anywhere counts, even outside the fleet keyspace: the revision is the store's.
    await client.put('/elsewhere/key').value('x');
    const moved = await registry.currentRevision();
    expect(BigInt(moved)).toBe(BigInt(snapshot.revision) + 1n);
    // Reads (a snapshot, a read-only txn) leave it where it is.
    await registry.snapshot();
    await client.if('/elsewhere/key', 'Version', '>', 0).commit();
    expect(await registry.currentRevision()).toBe(moved);
  });
});
