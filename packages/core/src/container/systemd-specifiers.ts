import type { SpecifierContext } from './container-spec.js';
import { parseFailure, parsedValue, type Parsed } from './parsed.js';

/** The parts of a unit name that specifiers refer to, as systemd splits them. */
export interface SpecifierNameParts {
  /** %n: `hello@2.service` */
  readonly full: string;
  /** %N: the name without its type suffix, `hello@2` */
  readonly name: string;
  /** %p: before the first `@` (the whole %N for a unit that is not an instance), `hello` */
  readonly prefix: string;
  /** %i: after the first `@`, `2`; empty for plain units and templates */
  readonly instance: string;
}

export function specifierPartsOf(unitName: string): SpecifierNameParts {
  const dot = unitName.lastIndexOf('.');
  const name = dot < 0 ? unitName : unitName.slice(0, dot);
  const at = name.indexOf('@');
  return {
    full: unitName,
    name,
    prefix: at < 0 ? name : name.slice(0, at),
    instance: at < 0 ? '' : name.slice(at + 1),
  };
}

/** The specifiers the container resolver expands; systemd's others are refused, not guessed. */
export const CONTAINER_SPECIFIERS = ['%n', '%N', '%p', '%i', '%m', '%H', '%%'] as const;

/**
 * Expands systemd specifiers in one unit value for an instance on a machine. This runs on the raw
 * value, before any word splitting, as systemd does, so an instance name with blanks or quotes
 * in it is split like the rest of the line.
 */
export function expandSystemdSpecifiers(value: string, ctx: SpecifierContext): Parsed<string> {
  if (!value.includes('%')) return parsedValue(value);
  const unit = specifierPartsOf(ctx.unitName);
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const spec = value[i + 1];
    i++;
    switch (spec) {
      case 'n':
        out += unit.full;
        break;
      case 'N':
        out += unit.name;
        break;
      case 'p':
        out += unit.prefix;
        break;
      case 'i':
        out += unit.instance;
        break;
      case 'm':
        out += ctx.machineId;
        break;
      case 'H':
        out += ctx.hostname;
        break;
      case '%':
        out += '%';
        break;
      case undefined:
        return parseFailure('incomplete specifier "%" at the end (write %% for a literal %)');
      default:
        return parseFailure(
          `unknown specifier "%${spec}" (known: ${CONTAINER_SPECIFIERS.join(' ')})`,
        );
    }
  }
  return parsedValue(out);
}
