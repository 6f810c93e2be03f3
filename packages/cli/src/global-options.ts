import type { Argv } from 'yargs';
import { CliError } from './errors.js';

/**
 * fleetctl's persistent flags. Each may also come from `FLEETCTL_<FLAG>` in the environment
 * (upper-cased, `-` → `_`) when not given on the command line, as in fleet; command-local flags
 * have no environment form.
 */
export interface GlobalOptions {
  readonly endpoints: readonly string[];
  /** The endpoint flag as given, for messages. */
  readonly endpointText: string;
  readonly keyPrefix: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Deadline of one etcd request. */
  readonly requestTimeoutMs: number;
  readonly debug: boolean;
}

interface GlobalFlag {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly fallback: string;
  readonly describe: string;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:2379';
export const DEFAULT_KEY_PREFIX = '/_coreos.com/fleet/';
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = '3';

export const GLOBAL_FLAGS: readonly GlobalFlag[] = [
  { name: 'endpoint', type: 'string', fallback: DEFAULT_ENDPOINT, describe: 'etcd endpoint(s): a comma-separated list of URLs' },
  { name: 'etcd-key-prefix', type: 'string', fallback: DEFAULT_KEY_PREFIX, describe: "Keyspace for fleet's data in etcd" },
  { name: 'ca-file', type: 'string', fallback: '', describe: 'Certificate authority file for TLS to etcd' },
  { name: 'cert-file', type: 'string', fallback: '', describe: 'Client certificate file for TLS to etcd' },
  { name: 'key-file', type: 'string', fallback: '', describe: 'Client key file for TLS to etcd' },
  { name: 'request-timeout', type: 'string', fallback: DEFAULT_REQUEST_TIMEOUT_SECONDS, describe: 'Seconds to wait for one etcd request; a command retries a stalled request once' },
  { name: 'debug', type: 'boolean', fallback: 'false', describe: 'Print debugging information on stderr' },
];

/** Global flags that take a value, for spotting the command word in argv. */
export const VALUED_GLOBAL_FLAGS: readonly string[] = GLOBAL_FLAGS.filter((f) => f.type === 'string').map((f) => f.name);

export function envNameOf(flag: string): string {
  return `FLEETCTL_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * Declares the global flags, their defaults taken from the environment when set there. Hidden
 * from yargs' help, which is never shown (help.ts renders fleetctl's): yargs still lays it out
 * after every command it parses, and without options to list that costs next to nothing.
 */
export function declareGlobalFlags(y: Argv, env: Readonly<Record<string, string | undefined>>): Argv {
  const defaults = globalFlagDefaults(env);
  let out = y;
  for (const flag of GLOBAL_FLAGS) {
    const value = defaults.get(flag.name);
    out = out.option(flag.name, { type: flag.type, global: true, hidden: true, ...(value === undefined ? {} : { default: value }) });
  }
  return out;
}

/** Each global flag's value when not given: from the environment, else its fallback; none for ''. */
export function globalFlagDefaults(env: Readonly<Record<string, string | undefined>>): Map<string, string | boolean> {
  const defaults = new Map<string, string | boolean>();
  for (const flag of GLOBAL_FLAGS) {
    const value = env[envNameOf(flag.name)] ?? flag.fallback;
    if (flag.type === 'boolean') defaults.set(flag.name, parseBool(value, flag.name));
    else if (value !== '') defaults.set(flag.name, value);
  }
  return defaults;
}

/** Validates the parsed global flags. */
export function resolveGlobalOptions(args: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>>): GlobalOptions {
  const text = (name: string): string => {
    const value = args[name];
    return typeof value === 'string' ? value : String(value ?? '');
  };
  const endpointText = text('endpoint');
  const endpoints = endpointText
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (endpoints.length === 0) throw new CliError('Error: --endpoint must name at least one etcd URL');
  for (const endpoint of endpoints) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || !['http:', 'https:'].includes(url.protocol) || url.hostname === '') {
      throw new CliError(`Error: invalid etcd endpoint ${JSON.stringify(endpoint)}: expected http://host:port or https://host:port`);
    }
  }
  const keyPrefix = text('etcd-key-prefix');
  if (keyPrefix === '') throw new CliError('Error: --etcd-key-prefix must not be empty');
  const timeoutText = text('request-timeout');
  const seconds = Number(timeoutText);
  if (timeoutText.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new CliError(`Error: invalid --request-timeout ${JSON.stringify(timeoutText)}: expected a positive number of seconds`);
  }
  const debugArg = args['debug'];
  const debug = typeof debugArg === 'boolean' ? debugArg : parseBool(env[envNameOf('debug')] ?? 'false', 'debug');
  return {
    endpoints,
    endpointText,
    keyPrefix,
    caFile: text('ca-file'),
    certFile: text('cert-file'),
    keyFile: text('key-file'),
    requestTimeoutMs: Math.round(seconds * 1000),
    debug,
  };
}

/** Go's strconv.ParseBool, which fleet's flag parsing used for booleans from the environment. */
function parseBool(value: string, flag: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False', ''].includes(value)) return false;
  throw new CliError(`Error: invalid value ${JSON.stringify(value)} for ${envNameOf(flag)}: expected true or false`);
}
