import { parseUnitName } from './name.js';

/**
 * fleet's specifier substitution for `[X-Fleet]` values: plain replacement of `%n` (full name),
 * `%N` (name without type), `%p` (prefix) and `%i` (instance), in that order, each applied to the
 * previous result. There is no `%%` escape. A name without a `.` is not a unit name to fleet,
 * and then nothing is substituted.
 */
export function substituteFleetSpecifiers(value: string, unitName: string): string {
  const info = parseUnitName(unitName);
  if (info === null) return value;
  let out = value;
  for (const [specifier, replacement] of [
    ['%n', info.fullName],
    ['%N', info.name],
    ['%p', info.prefix],
    ['%i', info.instance],
  ] as const) {
    // split/join, not replaceAll: a replacement string must not be read as a `$&` pattern.
    out = out.split(specifier).join(replacement);
  }
  return out;
}
