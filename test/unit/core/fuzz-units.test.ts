import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  parseUnitFile,
  resolveContainerSpec,
  serializeUnitFile,
  unitHash,
  unitRequirements,
  UnitParseError,
  validateContainerUnit,
  validateRequirements,
} from '@fleet/core';

/**
 * Bad input never crashes fleet: ≥ 10,000 generated and mutated unit files go through the
 * lexer and every validator a submit or an agent runs. The lexer may reject with UnitParseError;
 * nothing may throw anything else, and whatever parses must validate to a list of strings.
 */
const corpus = readdirSync('units')
  .filter((f) => f.endsWith('.service'))
  .map((f) => readFileSync(join('units', f), 'utf8'));

const keys = ['Image', 'Exec', 'ExecStart', 'ExecStartPre', 'ExecStop', 'Environment', 'PublishPort', 'Volume', 'Label', 'Memory', 'CPUs',
  'HealthCmd', 'HealthInterval', 'Pull', 'Restart', 'RestartSec', 'TimeoutStopSec', 'MachineID', 'MachineOf', 'MachineMetadata',
  'Conflicts', 'Global', 'Replaces', 'X-ConditionMachineID', 'Bogus', 'Entrypoint', 'User', 'Type'];
const sections = ['Unit', 'Service', 'Container', 'X-Fleet', 'Install', 'Timer', 'x'];
const nasty = ['', ' ', '%', '%i', '%%', '%z', '"', "'", '\\', '\\\n', '=', '[', ']', '\u0000', '\r', '\t', '${X}', '-', '--', '-d', '99999999999999999999',
  '1e309', '-1', ':::', '0:0:0', 'a=b=c', '"a" "b', '\u00e9\u4e2d', 'ß'.repeat(700), 'x'.repeat(3000), '/usr/bin/docker run', '[Container]'];

const value = fc.oneof(fc.constantFrom(...nasty), fc.string({ maxLength: 40 }), fc.array(fc.constantFrom(...nasty), { maxLength: 4 }).map((a) => a.join(' ')));
const line = fc.oneof(
  fc.tuple(fc.constantFrom(...keys), value).map(([k, v]) => `${k}=${v}`),
  fc.constantFrom(...sections).map((s) => `[${s}]`),
  fc.constantFrom('# c', '; c', '', '  ', 'nonsense', '[broken', 'K=v \\', '=', '[Unit] junk'),
);
const generated = fc.tuple(fc.array(line, { maxLength: 25 }), fc.constantFrom('\n', '\r\n')).map(([ls, eol]) => ls.join(eol));

/** Byte-level and line-level mutations of the example units. */
const mutated = fc
  .tuple(fc.constantFrom(...corpus), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...nasty, '\n', '=', '[X-Fleet]\n')), { minLength: 1, maxLength: 6 }))
  .map(([text, edits]) => {
    let t = text;
    for (const [at, len, insert] of edits) {
      const i = at % (t.length + 1);
      t = t.slice(0, i) + insert + t.slice(i + (len % 4));
    }
    return t;
  });

const names = fc.constantFrom('a.service', 'hello@2.service', 'hello@.service', 'x@y@z.service', 'pin@%i.service', 'weird\\x2d.service');

function everyValidator(text: string, name: string): void {
  let file;
  try {
    file = parseUnitFile(text);
  } catch (error) {
    if (error instanceof UnitParseError) return;
    throw error;
  }
  const canonical = serializeUnitFile(file);
  expect(unitHash(file)).toMatch(/^[0-9a-f]{40}$/);
  const { requirements, warnings } = unitRequirements(file, name);
  expect(Array.isArray(warnings)).toBe(true);
  expect(validateRequirements(requirements).every((p) => typeof p === 'string')).toBe(true);
  expect(validateContainerUnit(file, name).every((p) => typeof p === 'string')).toBe(true);
  const resolved = resolveContainerSpec(file, { unitName: name, machineId: 'f'.repeat(32), hostname: 'host' });
  expect(typeof resolved.ok).toBe('boolean');
  // What parsed once parses again from its canonical form.
  expect(() => parseUnitFile(canonical)).not.toThrow(TypeError);
}

describe('unit files under fuzzing', () => {
  it('6,000 generated unit files: no uncaught exception anywhere', () => {
    fc.assert(fc.property(generated, names, (text, name) => everyValidator(text, name)), { numRuns: 6_000 });
  });

  it('6,000 mutated example units: no uncaught exception anywhere', () => {
    fc.assert(fc.property(mutated, names, (text, name) => everyValidator(text, name)), { numRuns: 6_000 });
  });
});
