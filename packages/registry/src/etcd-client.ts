import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
} from 'cockatiel';
import type { IBackoff } from 'cockatiel';
import { Etcd3, isRecoverableError } from 'etcd3';
import type { IOptions } from 'etcd3';

/** The client the registry, lease keeper and leadership share. Pass it around; close it last. */
export type EtcdClient = Etcd3;

export interface EtcdClientOptions {
  /** Client URLs, e.g. `http://127.0.0.1:2379` (etcd3 strips the scheme; `https:` turns on TLS). */
  readonly endpoints: readonly string[];
  /** Deadline of every unary call (etcd3 has none by default: a frozen member hangs calls). */
  readonly callTimeoutMs?: number;
  /** PEM contents (not paths): CA, and optionally a client certificate and key. */
  readonly tls?: {
    readonly ca: Buffer | string;
    readonly cert?: Buffer | string;
    readonly key?: Buffer | string;
  };
  readonly auth?: { readonly username: string; readonly password: string };
}

export const DEFAULT_CALL_TIMEOUT_MS = 3_000;

const toBuffer = (value: Buffer | string): Buffer =>
  typeof value === 'string' ? Buffer.from(value) : value;

/**
 * Builds an Etcd3 client with the settings verified in toolchain.md §2.7: a deadline on every
 * unary call, a circuit breaker that half-opens after 1 s (the default's 5 s delayed recovery),
 * a bounded global retry, a fast watch reconnect backoff, and gRPC keepalive pings every 10 s
 * (twice etcd's minimum, see below) so a dead connection is noticed.
 */
export function createEtcdClient(options: EtcdClientOptions): EtcdClient {
  if (options.endpoints.length === 0) {
    throw new RangeError('createEtcdClient needs at least one endpoint');
  }
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const config: IOptions = {
    hosts: [...options.endpoints],
    grpcOptions: {
      // Twice etcd's --grpc-keepalive-min-time (5s): at exactly 5s, a ping held up behind a big
      // write or a busy event loop lands early, and etcd drops the whole connection (GOAWAY
      // too_many_pings, seen in the hollow-machine benchmarks) with every watch and keepalive on it.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 2_000,
      // Only while calls are open: etcd's enforcement policy counts a ping on a connection
      // without streams as a strike and answers the third with GOAWAY too_many_pings (grpc-js
      // logs "rejected by server because of excess pings"; seen in the chaos suite's observer).
      'grpc.keepalive_permit_without_calls': 0,
    },
    // Streams (watch, lease keepalive) live for the process: no deadline on them.
    defaultCallOptions: (context) =>
      context.isStream ? {} : { deadline: Date.now() + callTimeoutMs },
    faultHandling: {
      host: () =>
        circuitBreaker(handleWhen(isRecoverableError), {
          halfOpenAfter: 1_000,
          breaker: new ConsecutiveBreaker(3),
        }),
      global: retry(handleWhen(isRecoverableError), { maxAttempts: 3 }),
      // etcd3 types this as a backoff state but calls `.next()` on it first, as on its own default
      // (a factory): passing the factory is what toolchain.md verified.
      watchBackoff: new ExponentialBackoff({
        initialDelay: 100,
        maxDelay: 1_000,
      }) as unknown as IBackoff<unknown>,
    },
  };
  if (options.tls !== undefined) {
    config.credentials = {
      rootCertificate: toBuffer(options.tls.ca),
      ...(options.tls.key === undefined ? {} : { privateKey: toBuffer(options.tls.key) }),
      ...(options.tls.cert === undefined ? {} : { certChain: toBuffer(options.tls.cert) }),
    };
  }
  if (options.auth !== undefined) {
    config.auth = { username: options.auth.username, password: options.auth.password };
  }
  const client = new Etcd3(config);
  ignoreOwnCancels(client);
  return client;
}

/** grpc-js's status details for a call the client itself cancelled. */
const CLIENT_CANCEL_DETAILS = 'Cancelled on client';
const GRPC_CANCELLED = 1;

/**
 * etcd3 takes every CANCELLED stream error for a failing host and closes all of that host's
 * channels — also when the cancel is our own: its watch manager cancels its stream when the last
 * watcher goes (an engine stepping down, a leadership observer), and the lease keeper cancels a
 * keepalive stream it replaces. The streams still open on the closed channels (the other
 * watches, the lease keepalive) then die at grpc-js's next keepalive ping ("14 UNAVAILABLE:
 * Connection dropped"): every watch resyncs and the keepalive stream reopens, ~10 s after each
 * such cancel. A cancel the client made says nothing about the host: ignore it.
 */
function ignoreOwnCancels(client: Etcd3): void {
  // `pool` is protected in etcd3's types; markFailed is its one entry for stream errors.
  const pool = (client as unknown as { pool: { markFailed(resource: unknown, error: unknown): void } }).pool;
  const markFailed = pool.markFailed.bind(pool);
  pool.markFailed = (resource, error) => {
    if (isOwnCancel(error)) return;
    markFailed(resource, error);
  };
}

function isOwnCancel(error: unknown): boolean {
  const e = error as { code?: unknown; details?: unknown } | null;
  return e?.code === GRPC_CANCELLED && e.details === CLIENT_CANCEL_DETAILS;
}
