import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseUnitFile, unitRequirements, type UnitRequirements } from '@fleet/core';

const NONE: UnitRequirements = { machineOf: [], metadata: {}, conflicts: [], global: false, replaces: [] };

function reqs(xfleet: string, name = 'u.service') {
  return unitRequirements(parseUnitFile(`[Unit]\nDescription=d\n\n[X-Fleet]\n${xfleet}`), name);
}

describe('unitRequirements', () => {
  const cases: Array<[string, string, string, Partial<UnitRequirements>]> = [
    ['no X-Fleet options', '', 'u.service', {}],
    ['MachineID', 'MachineID=abc\n', 'u.service', { machineId: 'abc' }],
    ['MachineID: first value wins', 'MachineID=a\nMachineID=b\n', 'u.service', { machineId: 'a' }],
    ['MachineID: first of a multivalue wins', 'MachineID="a" "b"\n', 'u.service', { machineId: 'a' }],
    ['MachineID empty still counts', 'MachineID=\n', 'u.service', { machineId: '' }],
    ['MachineID beats the aliases', 'X-ConditionMachineID=x\nMachineID=m\nX-ConditionMachineBootID=y\n', 'u.service', { machineId: 'm' }],
    ['X-ConditionMachineID alias', 'X-ConditionMachineBootID=y\nX-ConditionMachineID=x\n', 'u.service', { machineId: 'x' }],
    ['X-ConditionMachineBootID alias (legacy, treated as a machine id)', 'X-ConditionMachineBootID=y\n', 'u.service', { machineId: 'y' }],
    ['MachineID with %i', 'MachineID=%i\n', 'pin@2f1c7e5a.service', { machineId: '2f1c7e5a' }],
    ['MachineOf', 'MachineOf=a.service\n', 'u.service', { machineOf: ['a.service'] }],
    ['MachineOf: legacy first, repeated and quoted', 'MachineOf=b.service\nX-ConditionMachineOf=a.service\nMachineOf="c.service" "d.service"\n', 'u.service', { machineOf: ['a.service', 'b.service', 'c.service', 'd.service'] }],
    ['MachineOf is not split on whitespace', 'MachineOf=a.service b.service\n', 'u.service', { machineOf: ['a.service b.service'] }],
    ['MachineOf with %p', 'MachineOf=%p.socket\n', 'web@1.service', { machineOf: ['web.socket'] }],
    ['MachineMetadata', 'MachineMetadata=region=us-west\n', 'u.service', { metadata: { region: ['us-west'] } }],
    [
      'MachineMetadata: same key ORs, grouping per line is irrelevant',
      'MachineMetadata="region=a" "job=x"\nMachineMetadata="region=b" "job=y"\n',
      'u.service',
      { metadata: { region: ['a', 'b'], job: ['x', 'y'] } },
    ],
    ['MachineMetadata: values are a set', 'MachineMetadata=k=v\nMachineMetadata=k=v\n', 'u.service', { metadata: { k: ['v'] } }],
    [
      'MachineMetadata: not exactly two non-empty parts is ignored',
      'MachineMetadata=k\nMachineMetadata=k=\nMachineMetadata==v\nMachineMetadata=a=b=c\nMachineMetadata=\nMachineMetadata=ok=1\n',
      'u.service',
      { metadata: { ok: ['1'] } },
    ],
    [
      'X-ConditionMachineMetadata merges, legacy first',
      'MachineMetadata=k=new\nX-ConditionMachineMetadata=k=old\nX-ConditionMachineMetadata=z=1\n',
      'u.service',
      { metadata: { k: ['old', 'new'], z: ['1'] } },
    ],
    ['MachineMetadata with %i', 'MachineMetadata=hostname=%i\n', 'metadata@smoke1.service', { metadata: { hostname: ['smoke1'] } }],
    ['MachineMetadata keeps __proto__ an ordinary key', 'MachineMetadata=__proto__=x\n', 'u.service', { metadata: JSON.parse('{"__proto__":["x"]}') }],
    ['Conflicts', 'Conflicts=conflict.*.service\n', 'conflict.0.service', { conflicts: ['conflict.*.service'] }],
    ['Conflicts split on whitespace', 'Conflicts=a.service  b*.service\tc.service\n', 'u.service', { conflicts: ['a.service', 'b*.service', 'c.service'] }],
    ['Conflicts: X-Conflicts first, quoted values split too', 'Conflicts="a b" c\nX-Conflicts=x y\n', 'u.service', { conflicts: ['x', 'y', '"a', 'b"', 'c'] }],
    ['Conflicts: quoted multivalue', 'Conflicts="a b" "c"\n', 'u.service', { conflicts: ['a', 'b', 'c'] }],
    ['Conflicts empty gives none', 'Conflicts=\n', 'u.service', { conflicts: [] }],
    ['Conflicts with %p', 'Conflicts=%p@*.service\n', 'subgun-http@1.service', { conflicts: ['subgun-http@*.service'] }],
    ['Global=true', 'Global=true\n', 'u.service', { global: true }],
    ...['true', 'TRUE', 'yes', 'Yes', '1', 'on', 'ON', 't', 'T'].map(
      (v): [string, string, string, Partial<UnitRequirements>] => [`Global=${v} is truthy`, `Global=${v}\n`, 'u.service', { global: true }],
    ),
    ...['false', '0', 'no', 'off', 'y', 'tru', ''].map(
      (v): [string, string, string, Partial<UnitRequirements>] => [`Global=${v} is not`, `Global=${v}\n`, 'u.service', { global: false }],
    ),
    ['Global: last value wins (false)', 'Global=true\nGlobal=false\n', 'u.service', { global: false }],
    ['Global: last value wins (true)', 'Global=false\nGlobal=yes\n', 'u.service', { global: true }],
    ['Global: last of a multivalue wins', 'Global="true" "no"\n', 'u.service', { global: false }],
    ['Replaces', 'Replaces=old.service\n', 'u.service', { replaces: ['old.service'] }],
    ['Replaces is not split on whitespace', 'Replaces=a b\nReplaces="c" "d"\n', 'u.service', { replaces: ['a b', 'c', 'd'] }],
    ['keys are case-sensitive', 'global=true\nmachineid=x\n', 'u.service', {}],
  ];

  it.each(cases)('%s', (_desc, xfleet, name, expected) => {
    expect(reqs(xfleet, name).requirements).toEqual({ ...NONE, ...expected });
  });

  it('reads only the [X-Fleet] section', () => {
    const unit = parseUnitFile('[Unit]\nGlobal=true\nMachineID=x\n[Service]\nConflicts=a\n');
    expect(unitRequirements(unit, 'u.service')).toEqual({ requirements: NONE, warnings: [] });
  });

  it('warns once per unknown key, in order of first appearance', () => {
    const { warnings } = reqs('Weight=5\nGlobal=true\nmachineof=x\nWeight=6\nX-Foo"=1\n');
    expect(warnings).toEqual([
      'unrecognized requirement in [X-Fleet] section: "Weight"',
      'unrecognized requirement in [X-Fleet] section: "machineof"',
      'unrecognized requirement in [X-Fleet] section: "X-Foo\\""',
    ]);
  });

  it('does not warn for any recognised key or alias', () => {
    const all = [
      'MachineID=m',
      'X-ConditionMachineID=m',
      'X-ConditionMachineBootID=m',
      'MachineOf=a.service',
      'X-ConditionMachineOf=a.service',
      'Conflicts=b*',
      'X-Conflicts=c*',
      'MachineMetadata=k=v',
      'X-ConditionMachineMetadata=k=w',
      'Global=false',
      'Replaces=d*',
    ].join('\n');
    expect(reqs(`${all}\n`).warnings).toEqual([]);
  });

  it('reads the golden fixtures like fleet', () => {
    const fixture = (file: string) =>
      parseUnitFile(readFileSync(new URL(`./golden/units/${file}`, import.meta.url), 'utf8'));
    expect(unitRequirements(fixture('pin@.service'), 'pin@2f1c7e5a9b3d4c6e8f0a1b2c3d4e5f60.service').requirements)
      .toEqual({ ...NONE, machineId: '2f1c7e5a9b3d4c6e8f0a1b2c3d4e5f60' });
    expect(unitRequirements(fixture('metadata@.service'), 'metadata@smoke2.service').requirements)
      .toEqual({ ...NONE, metadata: { hostname: ['smoke2'] } });
    expect(unitRequirements(fixture('global.service'), 'global.service').requirements).toEqual({ ...NONE, global: true });
    expect(unitRequirements(fixture('pong.1.service'), 'pong.1.service').requirements)
      .toEqual({ ...NONE, machineOf: ['ping.1.service'] });
    expect(unitRequirements(fixture('conflict.3.service'), 'conflict.3.service').requirements)
      .toEqual({ ...NONE, conflicts: ['conflict.*.service'] });
    expect(unitRequirements(fixture('hello.service'), 'hello.service')).toEqual({ requirements: NONE, warnings: [] });
  });
});
