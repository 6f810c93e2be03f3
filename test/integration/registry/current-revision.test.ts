import { describe, expect, it } from '@jest/globals';
import { EtcdRegistry } from '@fleet/registry';
import { privateEtcd, recordingLogger, uniquePrefix, unitRecord } from './support.js';

describe('EtcdRegistry.currentRevision', () => {
  const etcd = privateEtcd();

  it('equals the revision of a snapshot taken since the last write, and moves with any write', async () => {
    const registry = new EtcdRegistry({ client: etcd.client, logger: recordingLogger(), prefix: uniquePrefix('revision') });
    await registry.createUnit(unitRecord('a.service', 'a'), { global: false });
    const snapshot = await registry.snapshot();
    expect(await registry.currentRevision()).toBe(snapshot.revision);

    // A write anywhere counts, even outside the fleet keyspace: the revision is the store's.
    await etcd.client.put('/elsewhere/key').value('x');
    const moved = await registry.currentRevision();
    expect(BigInt(moved)).toBe(BigInt(snapshot.revision) + 1n);
    // Reads (a snapshot, a read-only txn) leave it where it is.
    await registry.snapshot();
    await etcd.client.if('/elsewhere/key', 'Version', '>', 0).commit();
    expect(await registry.currentRevision()).toBe(moved);
  });
});
