import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { ETCD3_LOADER_OPTIONS, etcd3PrebuiltServices } from '../../../../packages/cli/scripts/etcd3-proto-plugin.js';

interface MethodDefinition {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  originalName: string;
  requestSerialize(value: object): Buffer;
  responseSerialize(value: object): Buffer;
  responseDeserialize(bytes: Buffer): object;
}
type PackageDefinition = Record<string, Record<string, MethodDefinition>>;

const here = createRequire(import.meta.url);
/** proto-loader as etcd3 resolves it. */
const protoLoader = createRequire(here.resolve('etcd3'))('@grpc/proto-loader') as { loadSync(file: string, options: object): PackageDefinition };
const { serviceDefinitions } = here('../../../../packages/cli/scripts/etcd3-services.cjs') as {
  serviceDefinitions(prebuilt: object, options: object): PackageDefinition;
};

describe("the bundle's etcd3 service definitions (rpc.proto parsed at build time)", () => {
  const parsed = protoLoader.loadSync(here.resolve('etcd3/proto/rpc.proto'), ETCD3_LOADER_OPTIONS);
  const prebuilt = serviceDefinitions(JSON.parse(JSON.stringify(etcd3PrebuiltServices())), ETCD3_LOADER_OPTIONS);

  it('have every service and method etcd3 gets from parsing rpc.proto itself, with the same names and paths', () => {
    const services = Object.keys(parsed).filter((name) => !('format' in parsed[name]!));
    expect(services).toEqual(expect.arrayContaining(['etcdserverpb.KV', 'etcdserverpb.Watch', 'etcdserverpb.Lease', 'etcdserverpb.Auth']));
    expect(Object.keys(prebuilt).sort()).toEqual(services.sort());
    for (const service of services) {
      expect(Object.keys(prebuilt[service]!)).toEqual(Object.keys(parsed[service]!));
      for (const [method, definition] of Object.entries(parsed[service]!)) {
        const other = prebuilt[service]![method]!;
        expect([other.path, other.requestStream, other.responseStream, other.originalName]).toEqual([
          definition.path,
          definition.requestStream,
          definition.responseStream,
          definition.originalName,
        ]);
      }
    }
  });

  it('encode and decode the messages fleet uses byte for byte alike', () => {
    const kv = parsed['etcdserverpb.KV']!;
    const kvPrebuilt = prebuilt['etcdserverpb.KV']!;
    const txn = {
      compare: [{ key: Buffer.from('/k'), target: 'Create', result: 'Equal', create_revision: '0' }],
      success: [{ request_put: { key: Buffer.from('/k'), value: Buffer.from('v'), lease: '7587869186034325386' } }],
      failure: [{ request_range: { key: Buffer.from('/k') } }],
    };
    expect(kvPrebuilt['Txn']!.requestSerialize(txn)).toEqual(kv['Txn']!.requestSerialize(txn));
    const range = {
      header: { cluster_id: '14841639068965178418', member_id: '10276657743932975437', revision: '123456', raft_term: '2' },
      kvs: [{ key: Buffer.from('/k'), create_revision: '5', mod_revision: '9007199254740993', version: '3', value: Buffer.from('{}'), lease: '7587869186034325386' }],
      more: true,
      count: '10000',
    };
    const bytes = kv['Range']!.responseSerialize(range);
    expect(kvPrebuilt['Range']!.responseSerialize(range)).toEqual(bytes);
    const decoded = kvPrebuilt['Range']!.responseDeserialize(bytes);
    expect(decoded).toEqual(kv['Range']!.responseDeserialize(bytes));
    expect(decoded).toMatchObject({ count: '10000', kvs: [{ mod_revision: '9007199254740993', lease: '7587869186034325386' }] });
  });
});
