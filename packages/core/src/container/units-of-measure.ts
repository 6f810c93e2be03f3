import { parseFailure, parsedValue, type Parsed } from './parsed.js';

/** Milliseconds per time unit, with systemd's spellings (a superset of Go's, used by docker). */
const TIME_UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  nsec: 1e-6,
  us: 1e-3,
  usec: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const TIME_COMPONENT = /\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zµμ]*)/gy;

/**
 * A time span as systemd and docker write it (`30s`, `1m30s`, `500ms`, `2 min`, `1.5h`), in
 * whole milliseconds. A bare number is seconds, as in systemd. `infinity` gives Infinity; each
 * caller decides what that means.
 */
export function parseTimeSpanMs(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (trimmed === 'infinity') return parsedValue(Number.POSITIVE_INFINITY);
  const invalid = parseFailure<number>(`invalid duration "${text}"`);
  if (trimmed === '') return invalid;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    TIME_COMPONENT.lastIndex = at;
    const m = TIME_COMPONENT.exec(trimmed);
    if (m === null) return invalid;
    at = TIME_COMPONENT.lastIndex;
    // Only the last number may go without a unit (seconds): `1.2.3s` is not `1.2s` + `.3s`.
    if (m[2] === '' && at < trimmed.length) return invalid;
    const scale = TIME_UNITS_MS[m[2] === '' ? 's' : m[2]!];
    if (scale === undefined) return invalid;
    total += Number(m[1]) * scale;
  }
  const ms = Math.round(total);
  return Number.isSafeInteger(ms) ? parsedValue(ms) : invalid;
}

const BYTE_SIZE = /^(\d+(?:\.\d+)?|\.\d+) ?(?:([kmgtp])i?)?b?$/i;
const BYTE_MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/**
 * A memory size as docker's `-m` reads it: bytes, or a number with a k, m, g, t or p suffix
 * (optionally followed by `b`/`ib`), 1024-based, fractions rounded down to a whole byte.
 */
export function parseByteSize(text: string): Parsed<number> {
  const m = BYTE_SIZE.exec(text.trim());
  if (m === null) {
    return parseFailure(`invalid size "${text}" (bytes, or a number with a k, m or g suffix)`);
  }
  const bytes = Math.floor(Number(m[1]) * BYTE_MULTIPLIERS[(m[2] ?? '').toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) return parseFailure(`size "${text}" is too large`);
  if (bytes <= 0) return parseFailure(`size must be positive, got "${text}"`);
  return parsedValue(bytes);
}

const CPU_COUNT = /^(?:(\d+)(?:\.(\d*))?|\.(\d+))$/;

/** A decimal number of CPUs (`1.5`) as Docker's NanoCpus, exactly (no floating-point rounding). */
export function parseNanoCpus(text: string): Parsed<number> {
  const m = CPU_COUNT.exec(text.trim());
  if (m === null) return parseFailure(`invalid number of CPUs "${text}"`);
  const whole = m[1] ?? '0';
  const fraction = m[2] ?? m[3] ?? '';
  if (fraction.length > 9) {
    return parseFailure(`number of CPUs "${text}" is too precise (at most 9 decimals)`);
  }
  const nano = Number(whole) * 1e9 + Number(fraction.padEnd(9, '0'));
  if (!Number.isSafeInteger(nano)) return parseFailure(`number of CPUs "${text}" is too large`);
  if (nano <= 0) return parseFailure(`number of CPUs must be positive, got "${text}"`);
  return parsedValue(nano);
}

/** A time span that must be finite (health-check timings, RestartSec=). */
export function parseFiniteTimeSpanMs(text: string): Parsed<number> {
  const span = parseTimeSpanMs(text);
  if (span.ok && span.value === Number.POSITIVE_INFINITY) {
    return parseFailure(`duration must be finite, got "${text}"`);
  }
  return span;
}
