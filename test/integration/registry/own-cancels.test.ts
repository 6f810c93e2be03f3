import { describe, expect, it } from '@jest/globals';
import { EtcdRegistry, LeaseKeeper } from '@fleet/registry';
import { privateEtcd, recordingLogger, uniquePrefix } from './support.js';

/**
 * Closing the last watch of a client makes etcd3 cancel its watch stream, and etcd3 used to take
 * that cancel for a failing host and close every channel, so the lease keepalive stream died at
 * grpc-js's next keepalive ping (10 s later). Our client ignores its own cancels.
 */
describe('a client cancelling its own streams', () => {
  const etcd = privateEtcd();

  it('keeps its lease keepalive stream when its last watch is closed', async () => {
    const logger = recordingLogger();
    const keeper = await LeaseKeeper.grant({ client: etcd.client, ttlSeconds: 10, logger });
    try {
      const registry = new EtcdRegistry({ client: etcd.client, prefix: uniquePrefix('own-cancel'), logger });
      const watch = await registry.watchPrefix({ kind: 'global' }, undefined, { onEvent: () => undefined, onResync: () => undefined });
      await watch.close();
      // grpc-js pings every 10 s (etcd-client.ts); a channel closed under the stream fails it then.
      await new Promise((resolve) => setTimeout(resolve, 13_000));
      const failures = logger.lines.filter((l) => /stream failed|lost/.test(l.msg));
      expect(failures).toEqual([]);
      expect(keeper.isHealthy()).toBe(true);
    } finally {
      await keeper.revoke();
    }
  }, 30_000);
});
