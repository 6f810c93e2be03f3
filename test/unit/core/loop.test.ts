import { describe, expect, it } from '@jest/globals';
import { noopLogger, runReconcileLoop, systemClock, type Logger } from '@fleet/core';
import { eventually } from '@fleet/testkit';

function recordingLogger(lines: string[]): Logger {
  const log = (msg: string) => lines.push(msg);
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

describe('runReconcileLoop', () => {
  it('runs once at start, then on each trigger, coalescing bursts', async () => {
    const ac = new AbortController();
    let calls = 0;
    let release: () => void = () => {};
    const loop = runReconcileLoop({
      name: 'test',
      intervalMs: 60_000,
      clock: systemClock,
      logger: noopLogger,
      signal: ac.signal,
      reconcile: async () => {
        calls++;
        if (calls === 2) await new Promise<void>((r) => (release = r));
      },
    });
    await eventually(() => loop.passes() === 1, { what: 'first pass' });
    loop.trigger();
    await eventually(() => calls === 2, { what: 'second pass to start' });
    // Three triggers during a running pass cause exactly one more pass.
    loop.trigger();
    loop.trigger();
    loop.trigger();
    release();
    await eventually(() => loop.passes() === 3, { what: 'third pass' });
    ac.abort();
    await loop.done;
    expect(calls).toBe(3);
  });

  it('runs again after intervalMs without a trigger', async () => {
    const ac = new AbortController();
    const loop = runReconcileLoop({ name: 't', intervalMs: 20, clock: systemClock, logger: noopLogger, signal: ac.signal, reconcile: async () => {} });
    await eventually(() => loop.passes() >= 3, { what: 'periodic passes' });
    ac.abort();
    await loop.done;
  });

  it('honours wakeAt before the interval', async () => {
    const ac = new AbortController();
    const loop = runReconcileLoop({ name: 't', intervalMs: 60_000, clock: systemClock, logger: noopLogger, signal: ac.signal, reconcile: async () => {} });
    await eventually(() => loop.passes() === 1, { what: 'first pass' });
    loop.wakeAt(Date.now() + 30);
    await eventually(() => loop.passes() === 2, { what: 'woken pass', timeoutMs: 2000 });
    ac.abort();
    await loop.done;
  });

  it('logs a failed pass and keeps going', async () => {
    const ac = new AbortController();
    const lines: string[] = [];
    let n = 0;
    const loop = runReconcileLoop({
      name: 'engine',
      intervalMs: 10,
      clock: systemClock,
      logger: recordingLogger(lines),
      signal: ac.signal,
      reconcile: async () => {
        n++;
        if (n === 1) throw new Error('etcd went away');
      },
    });
    await eventually(() => n >= 3, { what: 'passes after a failure' });
    ac.abort();
    await loop.done;
    expect(lines).toContain('engine pass failed');
  });

  it('stops promptly when aborted while sleeping', async () => {
    const ac = new AbortController();
    const loop = runReconcileLoop({ name: 't', intervalMs: 3_600_000, clock: systemClock, logger: noopLogger, signal: ac.signal, reconcile: async () => {} });
    await eventually(() => loop.passes() === 1, { what: 'first pass' });
    ac.abort();
    await loop.done;
    expect(loop.passes()).toBe(1);
  });
});
