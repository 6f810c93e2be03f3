// Loads fleetctl's bundle (dist/bundle/main.cjs, made by scripts/bundle.js) with V8's code cache:
// with the cache V8 skips parsing and compiling ~1.7 MB of JavaScript (etcd3, gRPC, protobufjs,
// yargs, fleet), ~60 ms of every fleetctl run. Node 20 has no code cache for ES modules, hence one
// CommonJS file compiled here through vm.Script.
import { accessSync, constants, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

/**
 * fleetctl's V8 flags, set before anything is compiled: V8 refuses a code cache made under other
 * flags, so the build's training run (scripts/bundle.js) sets them too.
 */
export function setV8Flags() {
  // A roomier young generation: listing 10,000 units otherwise spends a fifth of its time in GC.
  setFlagsFromString('--max-semi-space-size=32');
}

/**
 * The bundle in `dir` if it is newer than every compiled package it was made from (so after an
 * edit and a plain `tsc -b` fleetctl runs the new code, unbundled, until the next build), else
 * undefined. Returns its manifest.
 */
export function freshBundle(dir) {
  try {
    const manifest = JSON.parse(readFileSync(new URL('bundle-manifest.json', dir), 'utf8'));
    const bundled = statSync(new URL(manifest.script, dir)).mtimeMs;
    return manifest.builtFrom.every((file) => statSync(new URL(file, dir)).mtimeMs <= bundled) ? manifest : undefined;
  } catch {
    return undefined; // not built, or a package cleaned: the compiled modules decide
  }
}

/**
 * Runs the bundle's top level and returns its exports, what became of the code cache (`used`,
 * `missing` or `rejected`: another Node version or V8 flags) and `saveCodeCache()`, to call once
 * the command is done: it writes the cache if it was not used. Called after the work, the cache also holds every function the command
 * compiled, not only the top level; the build makes the first one (scripts/bundle.js).
 */
export function loadBundle(dir, manifest) {
  const file = fileURLToPath(new URL(manifest.script, dir));
  const cacheFile = fileURLToPath(new URL(manifest.codeCache, dir));
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(file, 'utf8');
  // CommonJS's own wrapper: the bundle calls require() for node builtins and for dockerode.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const codeCache = cachedData === undefined ? 'missing' : script.cachedDataRejected === true ? 'rejected' : 'used';
  return {
    exports: module.exports,
    codeCache,
    saveCodeCache() {
      if (codeCache === 'used') return;
      try {
        accessSync(dirname(cacheFile), constants.W_OK);
        // Written aside and renamed: a fleetctl starting meanwhile reads a whole cache or none.
        const partial = `${cacheFile}.${process.pid}`;
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, cacheFile);
      } catch {
        // A read-only install runs without the cache: slower, not wrong.
      }
    },
  };
}
