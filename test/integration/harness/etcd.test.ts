import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type EtcdServer, startEtcd } from '@fleet/testkit';

describe('etcd harness', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd.stop();
  });

  it('serves a private etcd on loopback and stops it by pid', async () => {
    expect(etcd.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const put = await fetch(`${etcd.endpoint}/v3/kv/put`, {
      method: 'POST',
      body: JSON.stringify({ key: Buffer.from('k').toString('base64'), value: Buffer.from('v').toString('base64') }),
    });
    expect(put.status).toBe(200);
    const get = await fetch(`${etcd.endpoint}/v3/kv/range`, {
      method: 'POST',
      body: JSON.stringify({ key: Buffer.from('k').toString('base64') }),
    });
    const body = (await get.json()) as { kvs: { value: string }[] };
    expect(Buffer.from(body.kvs[0]!.value, 'base64').toString()).toBe('v');
  });

  it('refuses a fixed client port that another process holds, rather than talk to that one', async () => {
    const port = Number(new URL(etcd.endpoint).port);
    await expect(startEtcd({ clientPort: port })).rejects.toThrow(`cannot start etcd: 127.0.0.1:${port} is already in use`);
  });
});
