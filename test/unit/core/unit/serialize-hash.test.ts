import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { parseUnitFile, serializeUnitFile, shortHash, unitHash, type UnitFile } from '@fleet/core';

const GOLDEN = new URL('./golden/', import.meta.url);
const readGolden = (name: string): string => readFileSync(new URL(name, GOLDEN), 'utf8');

const unit = (...options: Array<[string, string, string]>): UnitFile => ({
  options: options.map(([section, name, value]) => ({ section, name, value })),
});

describe('serializeUnitFile', () => {
  const cases: Array<[string, UnitFile, string]> = [
    ['empty unit', unit(), ''],
    ['one option', unit(['Service', 'ExecStart', '/bin/sleep 100']), '[Service]\nExecStart=/bin/sleep 100\n'],
    [
      'blank line between sections, none after the last',
      unit(['Unit', 'Description', 'd'], ['Service', 'ExecStart', 'x'], ['X-Fleet', 'Global', 'true']),
      '[Unit]\nDescription=d\n\n[Service]\nExecStart=x\n\n[X-Fleet]\nGlobal=true\n',
    ],
    [
      'interleaved sections are grouped in order of first appearance',
      unit(['A', 'x', '1'], ['B', 'y', '2'], ['A', 'z', '3']),
      '[A]\nx=1\nz=3\n\n[B]\ny=2\n',
    ],
    ['repeated keys and empty values kept', unit(['S', 'K', ''], ['S', 'K', 'v']), '[S]\nK=\nK=v\n'],
    ['values are written verbatim', unit(['S', 'K', 'a\\\nb']), '[S]\nK=a\\\nb\n'],
  ];
  it.each(cases)('%s', (_desc, input, expected) => {
    expect(serializeUnitFile(input)).toBe(expected);
  });

  it('drops comments, spacing around = and junk', () => {
    const text = 'junk\n# c\n[Unit]\n  Description = hi  \n; c\n\n[Service]\nExecStart= x\n';
    expect(serializeUnitFile(parseUnitFile(text))).toBe('[Unit]\nDescription=hi\n\n[Service]\nExecStart=x\n');
  });
});

describe('unitHash / shortHash', () => {
  it.each([
    ['[Service]\nExecStart=/bin/sleep 100\n', '1c6fb6f3684bafb0c173d8b8b957ceff031180c1'],
    ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ])('hash of %j', (text, hash) => {
    expect(unitHash(parseUnitFile(text))).toBe(hash);
  });

  it('gives a0f275d… for [Unit] Description=some description', () => {
    const hash = unitHash(parseUnitFile('[Unit]\nDescription=some description\n'));
    expect(shortHash(hash)).toBe('a0f275d');
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
  });

  it('hashes the canonical text, so formatting does not change identity', () => {
    const a = unitHash(parseUnitFile('[Service]\nExecStart=/bin/sleep 100\n'));
    const b = unitHash(parseUnitFile('# comment\n[Service]\n\n   ExecStart =  /bin/sleep 100   \r\n'));
    expect(b).toBe(a);
  });

  it('hashes UTF-8 bytes', () => {
    expect(unitHash(unit(['S', 'K', 'é']))).toBe('3c10d0471abe2052969dba4b42fdc3dece4240cb');
  });
});

describe('golden fixtures of fleetctl 1.0.0', () => {
  // UNIT and HASH columns of `fleetctl list-unit-files --full` for the fixture files.
  const hashes = new Map(
    readGolden('11-list-unit-files--full.stdout')
      .split('\n')
      .slice(1)
      .filter((line) => line !== '')
      .map((line) => line.split(/\t+/) as [string, string]),
  );
  const files = readdirSync(new URL('units/', GOLDEN)).sort();

  it('covers every fixture file', () => {
    expect(files).toHaveLength(16);
    for (const file of files) expect(hashes.has(file)).toBe(true);
  });

  it.each(files)('%s: canonical text is the file and the hash matches list-unit-files', (file) => {
    const text = readGolden(`units/${file}`);
    const parsed = parseUnitFile(text);
    expect(serializeUnitFile(parsed)).toBe(text);
    expect(unitHash(parsed)).toBe(hashes.get(file));
  });

  it.each([
    ['20-cat-hello.service.stdout', 'hello.service'],
    ['21-cat-hello@1.service.stdout', 'hello@.service'],
    ['22-cat-pin@.service.stdout', 'pin@.service'],
    ['23-cat-global.service.stdout', 'global.service'],
  ])('%s equals the canonical text of %s', (capture, file) => {
    expect(serializeUnitFile(parseUnitFile(readGolden(`units/${file}`)))).toBe(readGolden(capture));
  });
});
