import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  computeTasks,
  REASONS,
  restartDelayMs,
  type LaunchRecord,
  type ObservedContainer,
  type RestartSettings,
} from '../../../packages/agent/src/tasks.js';
import type { DesiredUnit } from '../../../packages/agent/src/desired.js';

const noRestart: RestartSettings = { policy: 'no', restartSecMs: 100 };

function plan(
  desired: DesiredUnit[],
  containers: ObservedContainer[],
  opts: { launches?: Record<string, LaunchRecord>; restart?: RestartSettings; now?: number } = {},
) {
  return computeTasks({
    desired,
    containers,
    launches: new Map(Object.entries(opts.launches ?? {})),
    restartSettings: () => opts.restart ?? noRestart,
    now: opts.now ?? 1_000_000,
  });
}

const brief = (p: ReturnType<typeof plan>) => p.tasks.map((t) => `${t.kind} ${t.unit}${t.containerId ? ` ${t.containerId}` : ''}: ${t.reason}`);

describe('computeTasks', () => {
  it.each<[string, DesiredUnit[], ObservedContainer[], string[]]>([
    ['nothing to do', [], [], []],
    [
      'load a newly scheduled unit',
      [{ name: 'a.service', targetState: 'loaded', hash: 'h1' }],
      [],
      ['create a.service: unit scheduled here but not loaded'],
    ],
    [
      'load and start a launched unit',
      [{ name: 'a.service', targetState: 'launched', hash: 'h1' }],
      [],
      ['create a.service: unit scheduled here but not loaded', 'start a.service: unit currently loaded but desired state is launched'],
    ],
    [
      'remove a container not scheduled here',
      [],
      [{ id: 'c1', unit: 'a.service', hash: 'h1', status: 'running' }],
      ['remove a.service c1: unit loaded but not scheduled here'],
    ],
    [
      'replace a container whose hash changed',
      [{ name: 'a.service', targetState: 'launched', hash: 'h2' }],
      [{ id: 'c1', unit: 'a.service', hash: 'h1', status: 'running' }],
      [
        'remove a.service c1: unit loaded but hash differs to expected',
        'create a.service: unit scheduled here but not loaded',
        'start a.service: unit currently loaded but desired state is launched',
      ],
    ],
    [
      'stop a running unit whose desired state is loaded',
      [{ name: 'a.service', targetState: 'loaded', hash: 'h1' }],
      [{ id: 'c1', unit: 'a.service', hash: 'h1', status: 'running' }],
      ['stop a.service c1: unit currently launched but desired state is loaded'],
    ],
    [
      'start a created container',
      [{ name: 'a.service', targetState: 'launched', hash: 'h1' }],
      [{ id: 'c1', unit: 'a.service', hash: 'h1', status: 'created' }],
      ['start a.service c1: unit currently loaded but desired state is launched'],
    ],
    [
      'adopt a running container of the right hash',
      [{ name: 'a.service', targetState: 'launched', hash: 'h1' }],
      [{ id: 'c1', unit: 'a.service', hash: 'h1', status: 'running' }],
      [],
    ],
    [
      'start an exited container that no launch of ours started (e.g. after a stop)',
      [{ name: 'a.service', targetState: 'launched', hash: 'h1' }],
      [{ id: 'c1', unit: 'a.service', hash: 'h1', status: 'exited', exitCode: 0 }],
      ['start a.service c1: unit currently loaded but desired state is launched'],
    ],
    [
      'keep the running duplicate, remove the other',
      [{ name: 'a.service', targetState: 'launched', hash: 'h1' }],
      [
        { id: 'c1', unit: 'a.service', hash: 'h1', status: 'exited' },
        { id: 'c2', unit: 'a.service', hash: 'h1', status: 'running' },
      ],
      ['remove a.service c1: more than one container for this unit'],
    ],
  ])('%s', (_title, desired, containers, expected) => {
    expect(brief(plan(desired, containers))).toEqual(expected);
  });

  it('orders tasks remove < create < stop < start, names sorted within a kind', () => {
    const p = plan(
      [
        { name: 'b.service', targetState: 'launched', hash: 'h' },
        { name: 'c.service', targetState: 'loaded', hash: 'h' },
        { name: 'a.service', targetState: 'launched', hash: 'h' },
      ],
      [
        { id: 'x', unit: 'z.service', hash: 'h', status: 'running' },
        { id: 'y', unit: 'c.service', hash: 'h', status: 'running' },
      ],
    );
    expect(p.tasks.map((t) => `${t.kind} ${t.unit}`)).toEqual([
      'remove z.service',
      'create a.service',
      'create b.service',
      'stop c.service',
      'start a.service',
      'start b.service',
    ]);
  });

  describe('Restart=', () => {
    const launched: DesiredUnit[] = [{ name: 'a.service', targetState: 'launched', hash: 'h1' }];
    const died = (exitCode: number): ObservedContainer => ({
      id: 'c1',
      unit: 'a.service',
      hash: 'h1',
      status: 'exited',
      exitCode,
      startedAt: 990_000,
      finishedAt: 999_000,
    });
    const launches = { 'a.service': { containerId: 'c1', restarts: 0 } };

    it('leaves a dead container alone with Restart=no', () => {
      expect(plan(launched, [died(1)], { launches }).tasks).toEqual([]);
    });
    it('restarts on failure once RestartSec has passed', () => {
      const p = plan(launched, [died(3)], { launches, restart: { policy: 'on-failure', restartSecMs: 500 } });
      expect(brief(p)).toEqual(['start a.service c1: container exited with code 3 and Restart=on-failure']);
      expect(p.tasks[0]!.restarts).toBe(1);
    });
    it('does not restart a clean exit with Restart=on-failure', () => {
      expect(plan(launched, [died(0)], { launches, restart: { policy: 'on-failure', restartSecMs: 500 } }).tasks).toEqual([]);
    });
    it('waits for RestartSec and says when to wake', () => {
      const p = plan(launched, [died(0)], { launches, restart: { policy: 'always', restartSecMs: 5000 } });
      expect(p.tasks).toEqual([]);
      expect(p.pendingRestarts).toEqual(['a.service']);
      expect(p.wakeAt).toBe(1_004_000);
    });
    it('backs off exponentially with consecutive restarts, capped', () => {
      const s: RestartSettings = { policy: 'always', restartSecMs: 1000 };
      expect([0, 1, 2, 3, 10].map((n) => restartDelayMs(s, n))).toEqual([1000, 2000, 4000, 8000, 60_000]);
      const p = plan(launched, [died(1)], { launches: { 'a.service': { containerId: 'c1', restarts: 3 } }, restart: s });
      expect(p.wakeAt).toBe(999_000 + 8000);
    });
    it('starts the backoff afresh after a long stable run', () => {
      const long = { ...died(1), startedAt: 0 };
      const p = plan(launched, [long], { launches: { 'a.service': { containerId: 'c1', restarts: 5 } }, restart: { policy: 'always', restartSecMs: 100 } });
      expect(brief(p)).toEqual(['start a.service c1: container exited and Restart=always']);
      // The count starts again too, so the next quick crash waits RestartSec × 2, not × 2^6.
      expect(p.tasks[0]!.restarts).toBe(1);
    });
  });

  it('converges: applying the tasks to the containers leaves nothing to do', () => {
    const unitName = fc.constantFrom('a.service', 'b.service', 'c.service', 'd.service');
    const status = fc.constantFrom('created' as const, 'running' as const, 'exited' as const);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ name: unitName, targetState: fc.constantFrom('loaded' as const, 'launched' as const), hash: fc.constantFrom('h1', 'h2') }), { selector: (d) => d.name }),
        fc.array(fc.record({ unit: unitName, hash: fc.constantFrom('h1', 'h2'), status })),
        (desired, raw) => {
          const containers = raw.map((c, i) => ({ ...c, id: `c${i}` }));
          const first = plan(desired, containers);
          // Simulate the executor.
          let next: ObservedContainer[] = [...containers];
          let n = 0;
          for (const t of first.tasks) {
            if (t.kind === 'remove') next = next.filter((c) => c.id !== t.containerId);
            if (t.kind === 'create') next.push({ id: `new${n++}`, unit: t.unit, hash: t.hash!, status: 'created' });
            if (t.kind === 'stop') next = next.map((c) => (c.id === t.containerId ? { ...c, status: 'exited' as const } : c));
            if (t.kind === 'start') {
              const target = t.containerId ?? next.find((c) => c.unit === t.unit && c.status === 'created')!.id;
              next = next.map((c) => (c.id === target ? { ...c, status: 'running' as const } : c));
            }
          }
          expect(plan(desired, next).tasks).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
