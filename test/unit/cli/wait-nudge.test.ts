import { describe, expect, it } from '@jest/globals';
import { Nudge, sleep } from '../../../packages/cli/src/wait.js';

/** Longer than the test's own timeout: a sleep that ends did so because of the nudge. */
const FOREVER_MS = 600_000;

describe('a wait nudged by a watch', () => {
  it('ends a sleep when poked', async () => {
    const nudge = new Nudge();
    const slept = sleep(FOREVER_MS, new AbortController().signal, nudge);
    nudge.poke();
    await expect(slept).resolves.toBeUndefined();
  });

  it('does not sleep at all after a poke that came while it was awake, and only once', async () => {
    const nudge = new Nudge();
    nudge.poke();
    nudge.poke();
    await sleep(FOREVER_MS, new AbortController().signal, nudge);
    expect(nudge.take()).toBe(false);
  });

  it('forgets the sleeper once its sleep ended, so a later poke waits for the next sleep', async () => {
    const nudge = new Nudge();
    await sleep(1, new AbortController().signal, nudge);
    nudge.poke();
    expect(nudge.take()).toBe(true);
  });

  it('still ends on an interrupt', async () => {
    const nudge = new Nudge();
    const interrupt = new AbortController();
    const slept = sleep(FOREVER_MS, interrupt.signal, nudge);
    interrupt.abort();
    await expect(slept).rejects.toThrow('Interrupted');
    nudge.poke();
    expect(nudge.take()).toBe(true);
  });
});
