// Types of etcd3-proto-plugin.js, for the tests that check its output against proto-loader's.
import type { Plugin } from 'esbuild';

export declare const ETCD3_LOADER_OPTIONS: Readonly<Record<string, unknown>>;
export declare function etcd3PrebuiltServices(): {
  descriptor: object;
  methods: Record<string, [name: string, path: string, requestStream: boolean, responseStream: boolean, originalName: string][]>;
};
export declare function etcd3ProtoPlugin(): Plugin;
