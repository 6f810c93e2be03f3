import { UnitNameError } from '../errors.js';
import { goQuote, goQuoteRune, utf8ByteLength } from './go-strings.js';

/** systemd's UNIT_NAME_MAX, in bytes. */
export const MAX_UNIT_NAME_BYTES = 256;

/** Unit types fleet's API accepts (systemd's list of its time). */
export const VALID_UNIT_TYPES: readonly string[] = [
  'automount',
  'busname',
  'device',
  'mount',
  'path',
  'scope',
  'service',
  'slice',
  'snapshot',
  'socket',
  'swap',
  'target',
  'timer',
];

/** Unit types that may be templates or instances (`foo@.service`, `foo@1.service`). */
export const TEMPLATE_UNIT_TYPES: readonly string[] = [
  'path',
  'service',
  'socket',
  'target',
  'timer',
];

/** The narrower set fleetctl and the agent recognise; fleetctl appends `.service` to others. */
export const RECOGNIZED_UNIT_TYPES: readonly string[] = [
  'service',
  'socket',
  'timer',
  'path',
  'device',
  'mount',
  'automount',
];

const NAME_CHAR = /^[A-Za-z0-9:_.@\-\\]$/;

/**
 * fleet's API check of a unit name (systemd `unit_name_is_valid`-like): null when valid,
 * otherwise the message for the first rule broken, in fleet's order.
 */
export function validateUnitName(name: string): string | null {
  if (name === '') return 'unit name cannot be empty';
  if (utf8ByteLength(name) > MAX_UNIT_NAME_BYTES) {
    return `unit name exceeds maximum length (${MAX_UNIT_NAME_BYTES})`;
  }
  const dot = name.lastIndexOf('.');
  if (dot === -1) return 'unit name must contain "."';
  if (dot === name.length - 1) return 'unit name cannot end in "."';
  const suffix = name.slice(dot + 1);
  if (!VALID_UNIT_TYPES.includes(suffix)) return `invalid unit type: ${goQuote(suffix)}`;
  for (const ch of name.slice(0, dot)) {
    if (!NAME_CHAR.test(ch)) {
      return `invalid character ${goQuoteRune(ch.codePointAt(0)!)} in unit name`;
    }
  }
  if (name.startsWith('@')) return 'unit name cannot start in "@"';
  if (name.includes('@') && !TEMPLATE_UNIT_TYPES.includes(suffix)) {
    return `invalid unit type for a template or instance: ${goQuote(suffix)}`;
  }
  return null;
}

/** Throws UnitNameError with validateUnitName's message when the name is not valid. */
export function assertValidUnitName(name: string): void {
  const problem = validateUnitName(name);
  if (problem !== null) throw new UnitNameError(problem);
}

/** fleet's UnitNameInfo: the parts of `foo@bar.service`. */
export interface UnitNameInfo {
  /** `foo@bar.service` */
  readonly fullName: string;
  /** Name without the type: `foo@bar`. */
  readonly name: string;
  /** Before the first `@` (the whole name when there is none): `foo`. */
  readonly prefix: string;
  /** After the first `@` (may itself contain `@`); '' when none. */
  readonly instance: string;
  /** `foo@.service` for templates and instances; '' otherwise. */
  readonly template: string;
  /** The unit type, without the dot: `service`. */
  readonly suffix: string;
  /** Has an `@` and an empty instance. */
  readonly isTemplate: boolean;
  /** Has a non-empty instance. */
  readonly isInstance: boolean;
}

/** Splits a unit name like fleet's NewUnitNameInfo; null when it has no `.` (fleet's nil). */
export function parseUnitName(fullName: string): UnitNameInfo | null {
  const dot = fullName.lastIndexOf('.');
  if (dot === -1) return null;
  const name = fullName.slice(0, dot);
  const suffix = fullName.slice(dot + 1);
  const at = name.indexOf('@');
  if (at === -1) {
    return {
      fullName,
      name,
      prefix: name,
      instance: '',
      template: '',
      suffix,
      isTemplate: false,
      isInstance: false,
    };
  }
  const prefix = name.slice(0, at);
  const instance = name.slice(at + 1);
  return {
    fullName,
    name,
    prefix,
    instance,
    template: `${prefix}@.${suffix}`,
    suffix,
    isTemplate: instance === '',
    isInstance: instance !== '',
  };
}

/** The template a template or instance name belongs to (`foo@1.service` → `foo@.service`). */
export function templateOf(name: string): string | null {
  const info = parseUnitName(name);
  return info === null || info.template === '' ? null : info.template;
}

/** True when fleetctl/the agent recognise the name's type (a plain suffix test, as in fleet). */
export function isRecognizedUnitType(name: string): boolean {
  return RECOGNIZED_UNIT_TYPES.some((type) => name.endsWith(`.${type}`));
}

/**
 * fleetctl's unit-name mangling of a command-line argument: its base name (Go `path.Base`), with
 * `.service` appended unless it already ends in a recognised type (`foo.target` →
 * `foo.target.service`).
 */
export function mangleUnitName(arg: string): string {
  const base = goPathBase(arg);
  return isRecognizedUnitType(base) ? base : `${base}.service`;
}

/** Go's `path.Base`. */
function goPathBase(path: string): string {
  if (path === '') return '.';
  let p = path;
  while (p.length > 0 && p.endsWith('/')) p = p.slice(0, -1);
  const slash = p.lastIndexOf('/');
  if (slash >= 0) p = p.slice(slash + 1);
  return p === '' ? '/' : p;
}
