import { describe, expect, it } from '@jest/globals';
import { conflictOverlaps, convergenceGaps, doubleRuns, type MachineFacts, type Observation } from './chaos-invariants.js';
import { chaosUnits } from './chaos-units.js';

const catalogue = chaosUnits();
const machines: MachineFacts[] = [
  { name: 'm0', id: 'a0', metadata: { role: 'edge' } },
  { name: 'm1', id: 'a1', metadata: { role: 'edge' } },
  { name: 'm2', id: 'a2', metadata: { role: 'core' } },
];
const idOf = (name: string): string => machines.find((m) => m.name === name)!.id;

/** A converged layout: machine → units running there. */
const converged: Record<string, string[]> = {
  m0: ['plain-1.service', 'plain-2.service', 'ping-1.service', 'pong-1.service', 'cg-1.service', 'global-all.service', 'global-edge.service'],
  m1: ['plain-3.service', 'plain-4.service', 'ping-2.service', 'pong-2.service', 'ping-3.service', 'pong-3.service', 'cg-2.service', 'global-all.service', 'global-edge.service'],
  m2: ['plain-5.service', 'plain-6.service', 'ping-4.service', 'pong-4.service', 'cg-3.service', 'global-all.service'],
};

function observation(layout: Record<string, string[]>): Observation {
  return { at: 0, running: new Map(Object.entries(layout).map(([m, units]) => [m, new Set(units)])) };
}

/** The schedule that matches a layout: every non-global unit on the machine it runs on. */
function scheduleOf(layout: Record<string, string[]>): Map<string, string[]> {
  const globals = new Set(catalogue.globals.map((g) => g.name));
  const schedule = new Map<string, string[]>();
  for (const [m, units] of Object.entries(layout)) for (const u of units) if (!globals.has(u)) schedule.set(u, [...(schedule.get(u) ?? []), idOf(m)]);
  return schedule;
}

const allRegistered = new Set(machines.map((m) => m.id));
const gapsOf = (layout: Record<string, string[]>, schedule = scheduleOf(layout), registered: ReadonlySet<string> = allRegistered): string[] =>
  convergenceGaps(catalogue, machines, observation(layout), registered, schedule);
const moved = (from: string, to: string, unit: string): Record<string, string[]> => ({
  ...converged,
  [from]: converged[from]!.filter((u) => u !== unit),
  [to]: [...converged[to]!, unit],
});

describe('the chaos invariants', () => {
  it('has 22 units: 6 plain, 6 in a Conflicts group, 4 MachineOf pairs, 2 Global', () => {
    expect(Object.keys(catalogue.files)).toHaveLength(22);
    expect(catalogue.files['cg-4.service']).toContain('Conflicts=cg-*.service');
    expect(catalogue.files['pong-2.service']).toContain('MachineOf=ping-2.service');
    expect(catalogue.files['global-edge.service']).toContain('Global=true\nMachineMetadata=role=edge');
  });

  it('finds nothing missing in a converged cluster', () => {
    expect(gapsOf(converged)).toEqual([]);
    expect(doubleRuns(observation(converged), catalogue)).toEqual(new Map());
    expect(conflictOverlaps(observation(converged), catalogue)).toEqual(new Map());
  });

  it.each<{ name: string; layout: Record<string, string[]>; schedule?: Map<string, string[]>; registered?: Set<string>; gaps: string[] }>([
    {
      name: 'a unit on two machines',
      layout: { ...converged, m2: [...converged['m2']!, 'plain-1.service'] },
      schedule: scheduleOf(converged),
      gaps: ['plain-1.service runs on [m0,m2]'],
    },
    {
      name: 'a unit nowhere',
      layout: { ...converged, m0: converged['m0']!.filter((u) => u !== 'plain-2.service') },
      schedule: scheduleOf(converged),
      gaps: ['plain-2.service runs on []', 'plain-2.service is scheduled on m0 but does not run there'],
    },
    {
      name: 'a unit running where it is not scheduled',
      layout: moved('m0', 'm2', 'plain-1.service'),
      schedule: scheduleOf(converged),
      gaps: ['plain-1.service runs on m2 but is scheduled on [m0]', 'plain-1.service is scheduled on m0 but does not run there'],
    },
    {
      name: 'a follower away from its peer',
      layout: moved('m0', 'm2', 'pong-1.service'),
      gaps: ['pong-1.service runs on m2, its peer ping-1.service on m0'],
    },
    {
      name: 'two conflicting units on one machine (and a machine without one)',
      layout: moved('m2', 'm0', 'cg-3.service'),
      gaps: ['m0 runs conflicting cg-1.service, cg-3.service'],
    },
    {
      name: 'a Conflicts-group slot left empty',
      layout: { ...converged, m2: converged['m2']!.filter((u) => u !== 'cg-3.service') },
      gaps: ['2 of the Conflicts group run, expected 3'],
    },
    {
      name: 'a Global unit missing, one where its metadata does not match',
      layout: { ...converged, m1: converged['m1']!.filter((u) => u !== 'global-all.service'), m2: [...converged['m2']!, 'global-edge.service'] },
      gaps: ['global-all.service runs on [m0,m2], expected [m0,m1,m2]', 'global-edge.service runs on [m0,m1,m2], expected [m0,m1]'],
    },
    {
      name: 'a machine not registered and one not observed',
      layout: { m0: converged['m0']!, m1: converged['m1']! },
      schedule: scheduleOf({ m0: converged['m0']!, m1: converged['m1']! }),
      registered: new Set(['a0', 'a2']),
      gaps: [
        'm1 is not registered',
        'm2 was not observed',
        'plain-5.service runs on []',
        'plain-6.service runs on []',
        'ping-4.service runs on []',
        'pong-4.service runs on []',
        '2 of the Conflicts group run, expected 3',
        'global-all.service runs on [m0,m1], expected [m0,m1,m2]',
      ],
    },
    {
      name: 'a container of an unknown unit',
      layout: { ...converged, m1: [...converged['m1']!, 'stray.service'] },
      schedule: scheduleOf(converged),
      gaps: ['unknown unit stray.service runs on [m1]'],
    },
  ])('reports $name', ({ layout, schedule, registered, gaps }) => {
    expect(gapsOf(layout, schedule ?? scheduleOf(layout), registered ?? allRegistered)).toEqual(gaps);
  });

  it('reports non-global units on several machines as double runs, and conflicting units sharing a machine', () => {
    const layout = { ...moved('m2', 'm0', 'cg-3.service'), m1: [...converged['m1']!, 'plain-1.service', 'global-edge.service'] };
    expect(doubleRuns(observation(layout), catalogue)).toEqual(new Map([['plain-1.service', ['m0', 'm1']]]));
    expect(conflictOverlaps(observation(layout), catalogue)).toEqual(new Map([['m0: cg-1.service + cg-3.service', 'm0']]));
  });
});
