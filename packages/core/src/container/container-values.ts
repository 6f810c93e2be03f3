import type { HealthCheck } from './container-spec.js';
import { parseFailure, parsedValue, type Parsed } from './parsed.js';

/**
 * Values both unit forms share: what `-e`/Environment=, `-l`/Label=, `-v`/Volume=,
 * `-w`/WorkingDir=, `--health-*`/Health*= and image references mean, checked the same way.
 */

/** `KEY=value`. A bare `KEY` (docker's "copy it from the host") makes no sense on a cluster. */
export function parseEnvAssignment(word: string): Parsed<string> {
  const eq = word.indexOf('=');
  if (eq <= 0) return parseFailure(`expected KEY=value, got "${word}"`);
  return parsedValue(word);
}

/** `key=value`; a bare `key` is a label with an empty value, as in docker. */
export function parseLabel(word: string): Parsed<readonly [string, string]> {
  const eq = word.indexOf('=');
  const key = eq < 0 ? word : word.slice(0, eq);
  if (key === '') return parseFailure(`expected key=value, got "${word}"`);
  return parsedValue([key, eq < 0 ? '' : word.slice(eq + 1)]);
}

/** `[source:]/container/path[:options]`, passed to Docker as written. */
export function parseVolume(text: string): Parsed<string> {
  const volume = text.trim();
  const parts = volume.split(':');
  const target = parts.length === 1 ? parts[0]! : parts[1]!;
  if (parts.length > 3 || parts.some((p) => p === '') || !target.startsWith('/')) {
    return parseFailure(`invalid volume "${volume}" (expected [source:]/container/path[:options])`);
  }
  return parsedValue(volume);
}

export function parseAbsolutePath(text: string): Parsed<string> {
  if (text.startsWith('/')) return parsedValue(text);
  return parseFailure(`must be an absolute path, got "${text}"`);
}

/** A non-negative whole number (health-check retries). */
export function parseCount(text: string): Parsed<number> {
  const trimmed = text.trim();
  const n = Number(trimmed);
  return /^\d+$/.test(trimmed) && Number.isSafeInteger(n)
    ? parsedValue(n)
    : parseFailure(`invalid count "${text}"`);
}

/** The health-check timing both forms can set; without a command it has nothing to time. */
export interface HealthTiming {
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

/** HealthCmd=/--health-cmd is a shell command (CMD-SHELL); `none` turns the image's check off. */
export function healthCheckOf(
  cmd: string | undefined,
  timing: HealthTiming,
): HealthCheck | undefined {
  if (cmd === undefined) return undefined;
  if (cmd === 'none') return { test: ['NONE'] };
  const check: HealthCheck = { test: ['CMD-SHELL', cmd] };
  if (timing.intervalMs !== undefined) check.intervalMs = timing.intervalMs;
  if (timing.timeoutMs !== undefined) check.timeoutMs = timing.timeoutMs;
  if (timing.retries !== undefined) check.retries = timing.retries;
  if (timing.startPeriodMs !== undefined) check.startPeriodMs = timing.startPeriodMs;
  return check;
}

/** Whether two image references name the same image (`busybox` is `busybox:latest`). */
export function sameImage(a: string, b: string): boolean {
  return withDefaultTag(a) === withDefaultTag(b);
}

function withDefaultTag(image: string): string {
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return image.includes('@') || lastPart.includes(':') ? image : `${image}:latest`;
}
