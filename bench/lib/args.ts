import { parseArgs } from 'node:util';

/** A cluster size: hollow machines × units. */
export interface Size {
  readonly machines: number;
  readonly units: number;
}

/** `100x1000,1000x10000` → sizes. */
export function parseSizes(text: string): Size[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/.exec(part);
    if (match === null) throw new Error(`bad size ${JSON.stringify(part)}: expected MACHINESxUNITS, e.g. 100x1000`);
    return { machines: Number(match[1]), units: Number(match[2]) };
  });
}

export function parseList(text: string): number[] {
  return text.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isFinite(n) || n < 0) throw new Error(`bad number ${JSON.stringify(part)}`);
    return n;
  });
}

/** Options every benchmark script takes. */
export interface CommonOptions {
  /** Hollow agents are spread over this many worker processes. */
  readonly agentProcs: number;
  /** Lease TTL of every hollow machine and of the engine election (fleetd's agent_ttl). */
  readonly ttlSeconds: number;
  /** Results go to bench/results/<name>-<tag>.json (default: <name>.json). */
  readonly tag: string | undefined;
  readonly resultsDir: string | undefined;
  /** Write V8 CPU profiles of the worker processes to this directory. */
  readonly profileDir: string | undefined;
}

const COMMON = {
  'agent-procs': { type: 'string', default: '2' },
  ttl: { type: 'string', default: '5' },
  tag: { type: 'string' },
  results: { type: 'string' },
  profile: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/**
 * Parses `--name=value` options: the common ones plus `own` (all strings). For --help it prints
 * `usage` and returns undefined.
 */
export function parseBenchArgs<K extends string>(
  argv: readonly string[],
  own: Readonly<Record<K, string>>,
  usage: string,
): { common: CommonOptions; own: Record<K, string> } | undefined {
  const options: Record<string, { type: 'string'; default: string }> = {};
  for (const [key, value] of Object.entries<string>(own)) options[key] = { type: 'string', default: value };
  const { values } = parseArgs({ args: [...argv], options: { ...COMMON, ...options }, strict: true, allowPositionals: false });
  const get = (key: string): unknown => (values as Record<string, unknown>)[key];
  if (get('help') === true) {
    process.stdout.write(usage);
    return undefined;
  }
  const common: CommonOptions = {
    agentProcs: Math.max(1, Number(get('agent-procs'))),
    ttlSeconds: Math.max(1, Number(get('ttl'))),
    tag: get('tag') as string | undefined,
    resultsDir: get('results') as string | undefined,
    profileDir: get('profile') as string | undefined,
  };
  const ownValues = {} as Record<K, string>;
  for (const key of Object.keys(own) as K[]) ownValues[key] = get(key) as string;
  return { common, own: ownValues };
}
