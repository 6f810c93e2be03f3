import { randomBytes } from 'node:crypto';
import type { EtcdClient } from '@fleet/registry';

/**
 * The baseline: raw etcd transaction throughput with the same client library, against the same
 * etcd — one guarded write per txn (create-if-absent: `Create == 0` then put), as one engine
 * placement would be if each went in its own txn.
 */
export interface RawTxnResult {
  readonly concurrency: number;
  readonly txns: number;
  readonly seconds: number;
  readonly txnPerSecond: number;
}

export async function measureRawTxns(
  client: EtcdClient,
  options: { prefix: string; txns: number; concurrency: number; valueBytes: number },
): Promise<RawTxnResult> {
  const value = randomBytes(Math.ceil(options.valueBytes / 2)).toString('hex').slice(0, options.valueBytes);
  const run = randomBytes(4).toString('hex');
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < options.txns) {
      const key = `${options.prefix}${run}/${next++}`;
      const result = await client.if(key, 'Create', '==', 0).then(client.put(key).value(value)).commit();
      if (!result.succeeded) throw new Error(`raw txn on ${key} failed its compare`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await client.delete().prefix(`${options.prefix}${run}/`);
  return { concurrency: options.concurrency, txns: options.txns, seconds, txnPerSecond: options.txns / seconds };
}
