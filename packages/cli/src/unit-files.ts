import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import {
  MAX_UNIT_FILE_BYTES,
  isRecognizedUnitType,
  parseUnitFile,
  serializeUnitFile,
  unitHash,
  unitRequirements,
  validateContainerUnit,
  validateRequirements,
} from '@fleet/core';
import type { UnitFile } from '@fleet/core';
import { CliError } from './errors.js';

/** A unit file checked and ready to store under `name`. */
export interface UnitSource {
  readonly name: string;
  /** Canonical text (what is stored, hashed and printed by `cat`). */
  readonly contents: string;
  readonly hash: string;
  readonly global: boolean;
}

/** fleetctl's `maybeAppendDefaultUnitType`: the path an argument names on disk (`hello` → `hello.service`). */
export function unitFilePath(arg: string): string {
  return isRecognizedUnitType(arg) ? arg : `${arg}.service`;
}

/**
 * Reads and parses a local unit file; undefined when there is no such file. A file over the size
 * limit is refused before it is read. Synchronous on purpose: unit files are small and local, and
 * a big submit reads a thousand of them; through fs/promises each cost ~0.2 ms of CPU in promises
 * and thread-pool round trips (a fifth of submitting 1,000 units).
 */
export async function readLocalUnitFile(path: string): Promise<UnitFile | undefined> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw asReadError(error, path);
  }
  let text: string;
  try {
    // One open for the size check and the read.
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new CliError(`unable to read unit file ${path}: it is a directory`);
    if (info.size > MAX_UNIT_FILE_BYTES) {
      throw new CliError(
        `unable to parse unit file ${path}: unit file is ${info.size} bytes, larger than the ${MAX_UNIT_FILE_BYTES}-byte limit`,
      );
    }
    text = readFileSync(fd, 'utf8');
  } catch (error) {
    throw asReadError(error, path);
  } finally {
    closeSync(fd);
  }
  return parseText(text, `unit file ${path}`);
}

/** Parses stored canonical text (a registered template). */
export function parseStoredUnit(contents: string, name: string): UnitFile {
  return parseText(contents, `registered unit ${name}`);
}

/**
 * The checks a unit must pass before anything is written: its `[X-Fleet]` keys are all known and
 * compatible, and it describes a container we can run. Throws one CliError naming every problem.
 */
export function checkedUnitSource(name: string, unit: UnitFile): UnitSource {
  const { requirements, warnings } = unitRequirements(unit, name);
  const problems = [...warnings, ...validateRequirements(requirements), ...validateContainerUnit(unit, name)];
  if (problems.length > 0) throw new CliError(`invalid unit ${name}: ${problems.join('; ')}`);
  const contents = serializeUnitFile(unit);
  return { name, contents, hash: unitHash(unit), global: requirements.global };
}

function parseText(text: string, what: string): UnitFile {
  try {
    return parseUnitFile(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`unable to parse ${what}: ${message}`);
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function asReadError(error: unknown, path: string): Error {
  if (error instanceof CliError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const reason = code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error);
  return new CliError(`unable to read unit file ${path}: ${reason}`);
}
