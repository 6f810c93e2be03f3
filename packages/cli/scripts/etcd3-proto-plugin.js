// esbuild plugin: etcd3 parses etcd's rpc.proto with @grpc/proto-loader every time it is imported
// (~60 ms of a fleetctl run, and from a path relative to its own files, which a bundle does not
// have). In the bundle it gets its service definitions from etcd3-services.cjs instead, built
// from the proto parsed here, at build time, by the protobufjs and proto-loader it would use.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const SERVICES = fileURLToPath(new URL('./etcd3-services.cjs', import.meta.url));

/** The two lines of etcd3 (1.1.x) that load the proto; the build fails if they change. */
const REQUIRE_LOADER = 'const proto_loader_1 = require("@grpc/proto-loader");';
const LOAD_CALL = '(0, proto_loader_1.loadSync)(`${__dirname}/../proto/rpc.proto`,';
/** etcd3's options to proto-loader (keepCase is the one that matters when parsing). */
export const ETCD3_LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/**
 * etcd3's rpc.proto as etcd3-services.cjs takes it: the protobufjs JSON of the parsed files, and
 * each service's methods with the facts proto-loader gives them (path, streaming, the camel-cased
 * name etcd3 calls them by).
 */
export function etcd3PrebuiltServices() {
  const file = require.resolve('etcd3/proto/rpc.proto');
  const loaderRequire = createRequire(require.resolve('@grpc/proto-loader'));
  const protobuf = loaderRequire('protobufjs');
  const descriptor = new protobuf.Root().loadSync(file, { keepCase: true }).toJSON();
  const definition = loaderRequire('@grpc/proto-loader').loadSync(file, ETCD3_LOADER_OPTIONS);
  const methods = {};
  for (const [name, value] of Object.entries(definition)) {
    if ('format' in value) continue; // a message or enum, not a service
    methods[name] = Object.entries(value).map(([method, m]) => [method, m.path, m.requestStream, m.responseStream, m.originalName]);
  }
  return { descriptor, methods };
}

export function etcd3ProtoPlugin() {
  return {
    name: 'etcd3-proto',
    setup(build) {
      const prebuilt = JSON.stringify(etcd3PrebuiltServices());
      build.onLoad({ filter: /[\\/]etcd3[\\/]lib[\\/]connection-pool\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        for (const line of [REQUIRE_LOADER, LOAD_CALL]) {
          if (source.split(line).length !== 2) {
            throw new Error(`${args.path}: etcd3 no longer has ${line}; update etcd3-proto-plugin.js`);
          }
        }
        const contents = source
          .replace(REQUIRE_LOADER, `const proto_loader_1 = require(${JSON.stringify(SERVICES)});`)
          .replace(LOAD_CALL, `(0, proto_loader_1.serviceDefinitions)(${prebuilt},`);
        return { contents, loader: 'js' };
      });
    },
  };
}
