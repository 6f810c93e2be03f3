import { describe, expect, it } from '@jest/globals';
import { A, B, C, DEAD, applyPlan, describeActions, machine, plan, unit, type Cluster } from './fixtures.js';

const three = () => [machine(A, { region: 'us-west' }), machine(B), machine(C)];

/** Cluster in → exact actions (with reasons) and unschedulable summaries out (fleet's table style). */
describe('computePlan (fleet.md §5.2)', () => {
  it.each<[string, Cluster, string[], string[]]>([
    ['empty cluster', { units: [], machines: [] }, [], []],
    [
      'a unit goes to the lowest machine id among equally loaded machines',
      { units: [unit('hello.service')], machines: three() },
      ['schedule hello.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (0 units)'],
      [],
    ],
    [
      'units spread over machines, in name order',
      { units: [unit('c.service'), unit('a.service'), unit('b.service'), unit('d.service')], machines: three() },
      [
        'schedule a.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (0 units)',
        'schedule b.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)',
        'schedule c.service d3e2f1a0: unit scheduled on least-loaded eligible machine (0 units)',
        'schedule d.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (1 unit)',
      ],
      [],
    ],
    [
      'existing placements count as load; they are never rebalanced',
      {
        units: [unit('a.service'), unit('b.service'), unit('c.service'), unit('new.service')],
        machines: three(),
        schedule: { 'a.service': A, 'b.service': A, 'c.service': B },
      },
      ['schedule new.service d3e2f1a0: unit scheduled on least-loaded eligible machine (0 units)'],
      [],
    ],
    [
      'applicable global units count as load',
      {
        units: [unit('logger.service', { global: true, metadata: { region: ['us-west'] } }), unit('a.service')],
        machines: [machine(A, { region: 'us-west' }), machine(B)],
      },
      ['schedule a.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)'],
      [],
    ],
    [
      'inactive units are unscheduled and not placed',
      {
        units: [unit('a.service', {}, 'inactive'), unit('b.service', {}, 'inactive'), unit('c.service', {}, 'loaded')],
        machines: three(),
        schedule: { 'a.service': B },
      },
      [
        'unschedule a.service 8a4b2c6d: desired state is inactive',
        'schedule c.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (0 units)',
      ],
      [],
    ],
    [
      'a unit whose machine went away is placed again in the same pass',
      { units: [unit('a.service'), unit('b.service')], machines: three(), schedule: { 'a.service': DEAD, 'b.service': A } },
      [
        'unschedule a.service ffee0011: target machine ffee0011 went away',
        'schedule a.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)',
      ],
      [],
    ],
    [
      'MachineID by full id',
      { units: [unit('pin.service', { machineId: C })], machines: three() },
      ['schedule pin.service d3e2f1a0: unit scheduled on the machine matching MachineID ' + C],
      [],
    ],
    [
      'MachineID by short id, even onto the busiest machine',
      { units: [unit('a.service'), unit('pin.service', { machineId: '2f1c7e5a' })], machines: three(), schedule: { 'a.service': A } },
      ['schedule pin.service 2f1c7e5a: unit scheduled on the machine matching MachineID 2f1c7e5a'],
      [],
    ],
    [
      'MachineID mismatch unschedules and re-places',
      { units: [unit('pin.service', { machineId: '8a4b2c6d' })], machines: three(), schedule: { 'pin.service': A } },
      [
        'unschedule pin.service 2f1c7e5a: machine 2f1c7e5a does not match MachineID 8a4b2c6d',
        'schedule pin.service 8a4b2c6d: unit scheduled on the machine matching MachineID 8a4b2c6d',
      ],
      [],
    ],
    [
      'MachineID of a machine that is not live',
      { units: [unit('pin.service', { machineId: '1234abcd' })], machines: three() },
      [],
      ['pin.service: MachineID 1234abcd is not a live machine'],
    ],
    [
      'MachineMetadata picks a matching machine',
      {
        units: [unit('a.service'), unit('eu.service', { metadata: { region: ['eu'] } })],
        machines: [machine(A, { region: 'eu' }), machine(B, { region: 'us' })],
        schedule: { 'a.service': A },
      },
      ['schedule eu.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (1 unit)'],
      [],
    ],
    [
      'MachineMetadata: OR within a key, AND across keys',
      {
        units: [unit('x.service', { metadata: { region: ['eu', 'us'], disk: ['ssd'] } })],
        machines: [machine(A, { region: 'eu', disk: 'hdd' }), machine(B, { region: 'ap', disk: 'ssd' }), machine(C, { region: 'us', disk: 'ssd' })],
      },
      ['schedule x.service d3e2f1a0: unit scheduled on least-loaded eligible machine (0 units)'],
      [],
    ],
    [
      'metadata that no longer matches evicts (dynamic metadata)',
      {
        units: [unit('eu.service', { metadata: { region: ['eu'] } })],
        machines: [machine(A, { region: 'us' }), machine(B, { region: 'eu' })],
        schedule: { 'eu.service': A },
      },
      [
        'unschedule eu.service 2f1c7e5a: machine 2f1c7e5a no longer satisfies MachineMetadata region=eu',
        'schedule eu.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)',
      ],
      [],
    ],
    [
      'no machine satisfies the metadata',
      { units: [unit('hello.service', { metadata: { region: ['eu'] } })], machines: three() },
      [],
      ['hello.service: no machine satisfies MachineMetadata region=eu (3 checked: 2f1c7e5a region=us-west; 8a4b2c6d no region; d3e2f1a0 no region)'],
    ],
    [
      'MachineMetadata=hostname=%i instances land on their host',
      {
        units: [unit('web@h2.service', { metadata: { hostname: ['h2'] } }), unit('web@h1.service', { metadata: { hostname: ['h1'] } })],
        machines: [machine(A, { hostname: 'h2' }), machine(B, { hostname: 'h1' })],
      },
      [
        'schedule web@h1.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)',
        'schedule web@h2.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (0 units)',
      ],
      [],
    ],
    [
      'no machines are registered',
      { units: [unit('hello.service')], machines: [] },
      [],
      ['hello.service: no machines are registered'],
    ],
    [
      'global units are never scheduled; a stray target is removed',
      { units: [unit('global.service', { global: true })], machines: three(), schedule: { 'global.service': A } },
      ['unschedule global.service 2f1c7e5a: global units are never scheduled'],
      [],
    ],
    [
      'a target for a unit that no longer exists is removed',
      { units: [], machines: three(), schedule: { 'gone.service': B } },
      ['unschedule gone.service 8a4b2c6d: unit no longer exists'],
      [],
    ],
  ])('%s', (_, cluster, actions, unschedulable) => {
    const p = plan(cluster);
    expect(describeActions(p)).toEqual(actions);
    expect(p.unschedulable.map((u) => u.summary)).toEqual(unschedulable);
  });
});

describe('MachineOf', () => {
  it.each<[string, Cluster, string[], string[]]>([
    [
      'a follower named before its peer is placed with it in the same pass',
      { units: [unit('a-follower.service', { machineOf: ['z-peer.service'] }), unit('z-peer.service')], machines: three() },
      [
        'schedule z-peer.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (0 units)',
        'schedule a-follower.service 2f1c7e5a: unit scheduled with its MachineOf peer z-peer.service',
      ],
      [],
    ],
    [
      'followers migrate with their peer when its machine goes away',
      {
        units: [unit('ping.service'), unit('pong.service', { machineOf: ['ping.service'] }), unit('other.service')],
        machines: [machine(A), machine(B)],
        schedule: { 'ping.service': DEAD, 'pong.service': A, 'other.service': A },
      },
      [
        'unschedule ping.service ffee0011: target machine ffee0011 went away',
        'unschedule pong.service 2f1c7e5a: MachineOf peer ping.service is not on machine 2f1c7e5a',
        'schedule ping.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)',
        'schedule pong.service 8a4b2c6d: unit scheduled with its MachineOf peer ping.service',
      ],
      [],
    ],
    [
      'a peer that is not scheduled (inactive) leaves its follower unschedulable',
      { units: [unit('ping.service', {}, 'inactive'), unit('pong.service', { machineOf: ['ping.service'] })], machines: three() },
      [],
      ['pong.service: MachineOf peer ping.service is not scheduled'],
    ],
    [
      'a peer that does not exist',
      { units: [unit('pong.service', { machineOf: ['ghost.service'] })], machines: three() },
      [],
      ['pong.service: MachineOf peer ghost.service is not scheduled'],
    ],
    [
      'a global peer is satisfied where the global unit applies',
      {
        units: [unit('agent.service', { global: true, metadata: { region: ['eu'] } }), unit('helper.service', { machineOf: ['agent.service'] })],
        machines: [machine(A), machine(B, { region: 'eu' })],
      },
      ['schedule helper.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (1 unit)'],
      [],
    ],
    [
      'the peer is on a machine the follower may not use',
      {
        units: [unit('db.service'), unit('backup.service', { machineOf: ['db.service'], metadata: { region: ['eu'] } })],
        machines: [machine(A, { region: 'us' }), machine(B, { region: 'eu' })],
        schedule: { 'db.service': A },
      },
      [],
      ['backup.service: no machine satisfies MachineMetadata region=eu (1 checked: 2f1c7e5a region=us)'],
    ],
    [
      'bidirectional MachineOf never schedules (cycle reported)',
      {
        units: [unit('a.service', { machineOf: ['b.service'] }), unit('b.service', { machineOf: ['a.service'] }), unit('c.service', { machineOf: ['c.service'] })],
        machines: three(),
      },
      [],
      [
        'a.service: MachineOf peers form a cycle (a.service -> b.service -> a.service)',
        'b.service: MachineOf peers form a cycle (b.service -> a.service -> b.service)',
        'c.service: MachineOf peers form a cycle (c.service -> c.service)',
      ],
    ],
    [
      'a cycle that is already together stays',
      {
        units: [unit('a.service', { machineOf: ['b.service'] }), unit('b.service', { machineOf: ['a.service'] })],
        machines: three(),
        schedule: { 'a.service': B, 'b.service': B },
      },
      [],
      [],
    ],
  ])('%s', (_, cluster, actions, unschedulable) => {
    const p = plan(cluster);
    expect(describeActions(p)).toEqual(actions);
    expect(p.unschedulable.map((u) => u.summary)).toEqual(unschedulable);
  });
});

describe('Conflicts', () => {
  it('5 units with Conflicts=conflict.* on 3 machines: 3 placed on distinct machines, 2 unschedulable', () => {
    const units = [0, 1, 2, 3, 4].map((i) => unit(`conflict.${i}.service`, { conflicts: ['conflict.*'] }));
    const p = plan({ units, machines: three() });
    expect(describeActions(p)).toEqual([
      'schedule conflict.0.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (0 units)',
      'schedule conflict.1.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)',
      'schedule conflict.2.service d3e2f1a0: unit scheduled on least-loaded eligible machine (0 units)',
    ]);
    expect(p.unschedulable).toEqual([
      {
        unit: 'conflict.3.service',
        summary:
          'conflict.3.service: every machine hosts a conflicting unit (conflict.0.service on 2f1c7e5a, conflict.1.service on 8a4b2c6d, conflict.2.service on d3e2f1a0)',
        machines: [
          { machineId: A, reason: 'hosts conflicting unit conflict.0.service' },
          { machineId: B, reason: 'hosts conflicting unit conflict.1.service' },
          { machineId: C, reason: 'hosts conflicting unit conflict.2.service' },
        ],
      },
      expect.objectContaining({ unit: 'conflict.4.service' }),
    ]);
  });

  it.each<[string, Cluster, string[], string[]]>([
    [
      'a one-way conflict keeps units apart',
      { units: [unit('a.service', { conflicts: ['b.service'] }), unit('b.service')], machines: [machine(A)] },
      ['schedule a.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (0 units)'],
      ['b.service: every machine hosts a conflicting unit (a.service on 2f1c7e5a)'],
    ],
    [
      'of two conflicting units on one machine the later name moves (the agent runs the first)',
      {
        units: [unit('web@1.service', { conflicts: ['web@*.service'] }), unit('web@2.service', { conflicts: ['web@*.service'] })],
        machines: [machine(A), machine(B)],
        schedule: { 'web@1.service': A, 'web@2.service': A },
      },
      [
        'unschedule web@2.service 2f1c7e5a: conflicts with web@1.service on machine 2f1c7e5a',
        'schedule web@2.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)',
      ],
      [],
    ],
    [
      'a scheduled unit conflicting with a global unit that applies there moves',
      {
        units: [unit('a-global.service', { global: true, conflicts: ['b.service'] }), unit('b.service')],
        machines: [machine(A, { role: 'edge' }), machine(B)],
        schedule: { 'b.service': A },
      },
      [
        'unschedule b.service 2f1c7e5a: conflicts with a-global.service on machine 2f1c7e5a',
      ],
      ['b.service: every machine hosts a conflicting unit (a-global.service on 2f1c7e5a, a-global.service on 8a4b2c6d)'],
    ],
    [
      'the eligible-machine wording when other rules removed machines first',
      {
        units: [unit('a.service'), unit('b.service', { conflicts: ['a.service'], metadata: { region: ['eu'] } })],
        machines: [machine(A, { region: 'eu' }), machine(B)],
        schedule: { 'a.service': A },
      },
      [],
      ['b.service: every eligible machine hosts a conflicting unit (a.service on 2f1c7e5a)'],
    ],
  ])('%s', (_, cluster, actions, unschedulable) => {
    const p = plan(cluster);
    expect(describeActions(p)).toEqual(actions);
    expect(p.unschedulable.map((u) => u.summary)).toEqual(unschedulable);
  });

  it('caps the machines a summary lists', () => {
    const ids = ['10', '11', '12', '13', '14', '15', '16'].map((p) => `${p}000000${'0'.repeat(24)}`);
    const units = [...ids.map((_, i) => unit(`conflict.${i}.service`, { conflicts: ['conflict.*'] })), unit('conflict.x.service', { conflicts: ['conflict.*'] })];
    const p = plan({ units, machines: ids.map((id) => machine(id)) });
    expect(p.unschedulable.map((u) => u.summary)).toEqual([
      'conflict.x.service: every machine hosts a conflicting unit (conflict.0.service on 10000000, conflict.1.service on 11000000, conflict.2.service on 12000000, conflict.3.service on 13000000, conflict.4.service on 14000000, …)',
    ]);
    expect(p.unschedulable[0]!.machines).toHaveLength(7);
  });
});

describe('Replaces', () => {
  const r0 = () => unit('replace.0.service');
  const r1 = (extra = {}) => unit('replace.1.service', { replaces: ['replace.0.service'], ...extra });

  it.each<[string, Cluster, string[]]>([
    [
      "fleet's TestScheduleReplace: the replacing unit starts on another machine",
      { units: [r0(), r1()], machines: [machine(A), machine(B)], schedule: { 'replace.0.service': A } },
      ['schedule replace.1.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)'],
    ],
    [
      'the replaced unit moves off the machine it shares with its replacement',
      { units: [r0(), r1()], machines: [machine(A), machine(B)], schedule: { 'replace.0.service': A, 'replace.1.service': A } },
      [
        'unschedule replace.0.service 2f1c7e5a: replaced by replace.1.service on machine 2f1c7e5a',
        'schedule replace.0.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)',
      ],
    ],
    [
      'placing a replacement onto the machine moves the replaced unit in the same pass',
      { units: [r0(), r1({ metadata: { role: ['db'] } })], machines: [machine(A, { role: 'db' }), machine(B)], schedule: { 'replace.0.service': A } },
      [
        'unschedule replace.0.service 2f1c7e5a: replaced by replace.1.service on machine 2f1c7e5a',
        'schedule replace.1.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (1 unit)',
        'schedule replace.0.service 8a4b2c6d: unit scheduled on least-loaded eligible machine (0 units)',
      ],
    ],
    [
      "fleet's TestScheduleCircularReplace: mutual Replaces is ignored, nothing moves",
      {
        units: [unit('replace.0.service', { replaces: ['replace.1.service'] }), unit('replace.1.service', { replaces: ['replace.0.service'] })],
        machines: [machine(A), machine(B)],
        schedule: { 'replace.0.service': A, 'replace.1.service': A },
      },
      [],
    ],
    [
      'mutual Replaces, both unscheduled: placed like unrelated units',
      {
        units: [unit('replace.0.service', { replaces: ['replace.1.service'] }), unit('replace.1.service', { replaces: ['replace.0.service'] })],
        machines: [machine(A)],
      },
      [
        'schedule replace.0.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (0 units)',
        'schedule replace.1.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (1 unit)',
      ],
    ],
    [
      'a longer Replaces cycle is ignored as well',
      {
        units: [
          unit('a.service', { replaces: ['b.service'] }),
          unit('b.service', { replaces: ['c.service'] }),
          unit('c.service', { replaces: ['a.service'] }),
        ],
        machines: [machine(A), machine(B)],
        schedule: { 'a.service': A, 'b.service': A, 'c.service': A },
      },
      [],
    ],
  ])('%s', (_, cluster, actions) => {
    const p = plan(cluster);
    expect(describeActions(p)).toEqual(actions);
    const again = plan({ ...cluster, schedule: applyPlan(cluster.schedule ?? {}, p) });
    expect(again.actions).toEqual([]);
  });

  it('a unit that would replace its own MachineOf peer is not placed (it would chase itself)', () => {
    const p = plan({
      units: [unit('peer.service'), unit('x.service', { machineOf: ['peer.service'], replaces: ['peer.service'] })],
      machines: [machine(A)],
    });
    expect(describeActions(p)).toEqual(['schedule peer.service 2f1c7e5a: unit scheduled on least-loaded eligible machine (0 units)']);
    expect(p.unschedulable).toEqual([
      {
        unit: 'x.service',
        summary: 'x.service: placing it would move a unit that must stay (2f1c7e5a would replace its own MachineOf peer peer.service)',
        machines: [{ machineId: A, reason: 'would replace its own MachineOf peer peer.service' }],
      },
    ]);
  });

  it('a replaced unit with nowhere else to go becomes unschedulable', () => {
    const p = plan({ units: [r0(), r1()], machines: [machine(A)], schedule: { 'replace.0.service': A, 'replace.1.service': A } });
    expect(describeActions(p)).toEqual(['unschedule replace.0.service 2f1c7e5a: replaced by replace.1.service on machine 2f1c7e5a']);
    expect(p.unschedulable).toEqual([
      {
        unit: 'replace.0.service',
        summary: 'replace.0.service: every eligible machine hosts a unit that replaces it (replace.1.service on 2f1c7e5a)',
        machines: [{ machineId: A, reason: 'hosts replace.1.service, which replaces it' }],
      },
    ]);
  });
});

describe('unschedulable details', () => {
  it('lists a reason per machine checked', () => {
    const p = plan({
      units: [unit('a.service'), unit('x.service', { metadata: { region: ['eu'] }, conflicts: ['a.service'] })],
      machines: [machine(A, { region: 'eu' }), machine(B, { region: 'us' }), machine(C)],
      schedule: { 'a.service': A },
    });
    expect(p.unschedulable).toEqual([
      {
        unit: 'x.service',
        summary: 'x.service: every eligible machine hosts a conflicting unit (a.service on 2f1c7e5a)',
        machines: [
          { machineId: A, reason: 'hosts conflicting unit a.service' },
          { machineId: B, reason: 'MachineMetadata region=eu not satisfied (region=us)' },
          { machineId: C, reason: 'MachineMetadata region=eu not satisfied (no region)' },
        ],
      },
    ]);
  });

  it('a MachineID pin checks only the matching machine', () => {
    const p = plan({
      units: [unit('a.service'), unit('pin.service', { machineId: A, conflicts: ['a.service'] })],
      machines: three(),
      schedule: { 'a.service': A },
    });
    expect(p.unschedulable).toEqual([
      {
        unit: 'pin.service',
        summary: 'pin.service: every eligible machine hosts a conflicting unit (a.service on 2f1c7e5a)',
        machines: [{ machineId: A, reason: 'hosts conflicting unit a.service' }],
      },
    ]);
  });

  it('a follower of an unscheduled peer has no machine to check', () => {
    const p = plan({ units: [unit('pong.service', { machineOf: ['ping.service'] }), unit('ping.service', { machineId: '1234abcd' })], machines: three() });
    expect(p.unschedulable).toEqual([
      { unit: 'ping.service', summary: 'ping.service: MachineID 1234abcd is not a live machine', machines: [] },
      { unit: 'pong.service', summary: 'pong.service: MachineOf peer ping.service is not scheduled', machines: [] },
    ]);
  });

  it('MachineOf peers on different machines', () => {
    const p = plan({
      units: [unit('a.service'), unit('b.service'), unit('both.service', { machineOf: ['a.service', 'b.service'] })],
      machines: three(),
      schedule: { 'a.service': A, 'b.service': B },
    });
    expect(p.unschedulable.map((u) => u.summary)).toEqual([
      'both.service: MachineOf peers a.service, b.service are not together on any eligible machine',
    ]);
  });
});
