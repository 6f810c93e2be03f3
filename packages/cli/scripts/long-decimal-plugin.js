// esbuild plugin: protobufjs's `require("long")` gets long-decimal.cjs (long with a faster decimal
// toString) in the bundle. Only the bundle: the modules under dist/ use long as it is.
import { fileURLToPath } from 'node:url';

const SHIM = fileURLToPath(new URL('./long-decimal.cjs', import.meta.url));

export function longDecimalPlugin() {
  return {
    name: 'long-decimal',
    setup(build) {
      build.onResolve({ filter: /^long$/ }, (args) => (/[\\/]protobufjs[\\/]/.test(args.importer) ? { path: SHIM } : undefined));
    },
  };
}
