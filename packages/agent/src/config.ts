import { z } from 'zod';

/**
 * fleetd configuration, compatible with fleet.conf (fleet.md §4.2): `key=value` lines in a file,
 * `FLEET_<KEY>` environment variables and `--key-with-dashes` flags, precedence
 * flags > env > file > defaults. Parsed once, pure: the caller supplies the file text and env.
 */

/** Go-style durations (`5s`, `1m30s`, `250ms`); a bare number means seconds. */
export function parseDurationMs(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
  const scale: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    total += Number(m[1]) * (scale[m[2]!] ?? 0);
    matched = re.lastIndex;
  }
  return matched === t.length && t.length > 0 ? Math.round(total) : null;
}

/** `k=v,k2=v2` (split on `,` then the first `=`, spaces trimmed, last duplicate wins). */
export function parseMetadata(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  const trimmed = text.trim().replace(/^"(.*)"$/, '$1');
  if (trimmed === '') return out;
  for (const pair of trimmed.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return null;
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (key === '' || value === '') return null;
    out[key] = value;
  }
  return out;
}

/** fleet accepted `a,b` and `["a","b"]`. */
function parseList(text: string): string[] {
  return text
    .trim()
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((s) => s.trim().replace(/^"|"$/g, ''))
    .filter((s) => s !== '');
}

const bool = z
  .string()
  .transform((s, ctx) => {
    const v = s.trim().toLowerCase();
    if (['true', '1', 'yes', 'on', 't'].includes(v)) return true;
    if (['false', '0', 'no', 'off', 'f', ''].includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: `expected a boolean, got "${s}"` });
    return z.NEVER;
  });

const duration = (what: string, minMs: number) =>
  z.string().transform((s, ctx) => {
    const ms = parseDurationMs(s);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as 5s or 500ms, got "${s}"` });
      return z.NEVER;
    }
    if (ms < minMs) {
      ctx.addIssue({ code: 'custom', message: `${what} must be at least ${minMs} ms, got "${s}"` });
      return z.NEVER;
    }
    return ms;
  });

const optionalPath = z.string().transform((s) => (s.trim() === '' ? undefined : s.trim()));

export const ConfigSchema = z.object({
  etcd_servers: z
    .string()
    .transform((s, ctx) => {
      const list = parseList(s);
      for (const url of list) {
        if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) {
          ctx.addIssue({ code: 'custom', message: `"${url}" is not an http(s)://host:port URL` });
          return z.NEVER;
        }
      }
      if (list.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'at least one etcd server is required' });
        return z.NEVER;
      }
      return list;
    }),
  etcd_key_prefix: z
    .string()
    .transform((s) => (s.endsWith('/') ? s : `${s}/`))
    .refine((s) => s.startsWith('/'), 'must start with /'),
  etcd_cafile: optionalPath,
  etcd_certfile: optionalPath,
  etcd_keyfile: optionalPath,
  etcd_username: optionalPath,
  etcd_password: optionalPath,
  etcd_request_timeout: duration('etcd_request_timeout', 100),
  metadata: z.string().transform((s, ctx) => {
    const md = parseMetadata(s);
    if (md === null) {
      ctx.addIssue({ code: 'custom', message: `expected k=v,k2=v2, got "${s}"` });
      return z.NEVER;
    }
    return md;
  }),
  public_ip: z
    .string()
    .transform((s) => s.trim())
    .refine((s) => s === '' || /^[0-9.]+$|^[0-9a-fA-F:]+$/.test(s), 'must be an IP address'),
  agent_ttl: duration('agent_ttl', 1000),
  engine_reconcile_interval: duration('engine_reconcile_interval', 50),
  disable_engine: bool,
  verbosity: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform((s) => Number(s)),
  machine_id: z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .refine((s) => s === '' || /^[0-9a-f]{32}$/.test(s), 'must be 32 hexadecimal characters'),
  state_dir: z.string().min(1, 'must not be empty'),
  docker_endpoint: z
    .string()
    .refine(
      (s) => /^(unix:\/\/\/.+|tcp:\/\/.+|https?:\/\/.+)$/.test(s),
      'must be unix:///path, tcp://host:port or http(s)://host:port',
    ),
  mass_loss_threshold: z
    .string()
    .transform((s) => Number(s))
    .refine((n) => Number.isFinite(n) && n > 0 && n <= 1, 'must be a fraction in (0, 1]'),
  mass_loss_grace: duration('mass_loss_grace', 0),
});

export type FleetdConfig = z.infer<typeof ConfigSchema> & { readonly keepUnits: boolean };
export type ConfigKey = keyof z.input<typeof ConfigSchema>;

export const CONFIG_KEYS = Object.keys(ConfigSchema.shape) as ConfigKey[];

export function defaultConfig(env: Readonly<Record<string, string | undefined>>): Record<ConfigKey, string> {
  return {
    etcd_servers: 'http://127.0.0.1:2379',
    etcd_key_prefix: '/_coreos.com/fleet/',
    etcd_cafile: '',
    etcd_certfile: '',
    etcd_keyfile: '',
    etcd_username: '',
    etcd_password: '',
    etcd_request_timeout: '3s',
    metadata: '',
    public_ip: '',
    agent_ttl: '5s',
    engine_reconcile_interval: '2s',
    disable_engine: 'false',
    verbosity: '0',
    machine_id: '',
    state_dir: '/var/lib/fleet',
    docker_endpoint: env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock',
    mass_loss_threshold: '0.5',
    mass_loss_grace: '60s',
  };
}

/** Lines of `key=value`; `#`/`;` comments; surrounding quotes on values dropped. */
export function parseConfigFile(text: string): { values: Partial<Record<string, string>>; errors: string[] } {
  const values: Partial<Record<string, string>> = {};
  const errors: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      errors.push(`config file line ${i + 1}: expected key=value, got "${line}"`);
      return;
    }
    const value = line.slice(eq + 1).trim();
    values[line.slice(0, eq).trim()] = value.replace(/^"(.*)"$/, '$1');
  });
  return { values, errors };
}

export interface ConfigSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Text of the config file, when one was found. */
  readonly fileText?: string;
  readonly fileName?: string;
}

export interface ParsedArgs {
  readonly flags: Partial<Record<string, string>>;
  readonly configFile?: string;
  readonly keepUnits: boolean;
  readonly version: boolean;
  readonly help: boolean;
  readonly errors: string[];
}

/** fleetd's command line: `--key-with-dashes value`, `--key=value`, `--config`, `--keep-units`. */
export function parseFleetdArgs(argv: readonly string[]): ParsedArgs {
  const flags: Partial<Record<string, string>> = {};
  const errors: string[] = [];
  let configFile: string | undefined;
  let keepUnits = false;
  let version = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === 'version' || arg === '--version' || arg === '-v') {
      version = true;
      continue;
    }
    if (arg === '--help' || arg === '-h' || arg === 'help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      errors.push(`unexpected argument "${arg}"`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (name === 'keep-units') {
      keepUnits = eq === -1 || arg.slice(eq + 1) !== 'false';
      continue;
    }
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    const key = name.replace(/-/g, '_');
    if (value === undefined) {
      if (key === 'disable_engine') value = 'true';
      else {
        value = argv[i + 1];
        i++;
      }
    }
    if (value === undefined) {
      errors.push(`flag --${name} needs a value`);
      continue;
    }
    if (key === 'config') configFile = value;
    else if ((CONFIG_KEYS as string[]).includes(key)) flags[key] = value;
    else errors.push(`unknown flag --${name}`);
  }
  return { flags, keepUnits, version, help, errors, ...(configFile === undefined ? {} : { configFile }) };
}

export type ConfigResult = { ok: true; config: FleetdConfig } | { ok: false; errors: string[] };

/** Merges the sources (flags > env > file > defaults) and validates every field at once. */
export function resolveConfig(sources: ConfigSources): ConfigResult {
  const args = parseFleetdArgs(sources.argv);
  const errors = [...args.errors];
  const merged: Record<string, string> = { ...defaultConfig(sources.env) };
  if (sources.fileText !== undefined) {
    const file = parseConfigFile(sources.fileText);
    errors.push(...file.errors);
    for (const [key, value] of Object.entries(file.values)) {
      if ((CONFIG_KEYS as string[]).includes(key)) merged[key] = value!;
      else errors.push(`${sources.fileName ?? 'config file'}: unknown key "${key}"`);
    }
  }
  for (const key of CONFIG_KEYS) {
    const value = sources.env[`FLEET_${key.toUpperCase()}`];
    if (value !== undefined) merged[key] = value;
  }
  for (const [key, value] of Object.entries(args.flags)) merged[key] = value!;
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push(`${String(issue.path[0] ?? 'config')}: ${issue.message}`);
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, config: Object.freeze({ ...parsed.data, keepUnits: args.keepUnits }) };
}
