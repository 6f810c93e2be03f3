import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/**
 * A reconcile loop, fleet's shape (fleet.md §5.3, §6.4): one pass at start, then one whenever
 * `trigger()` is called (bursts coalesce into one pass) or `intervalMs` passes without one.
 * A failed pass is logged and retried on the next trigger or tick; the loop never dies of it.
 */
export interface ReconcileLoop {
  /** Asks for a pass soon; calls during a pass cause exactly one more pass after it. */
  trigger(): void;
  /** Asks for a pass no later than `at` (ms since epoch), e.g. a due restart. */
  wakeAt(at: number): void;
  /** Resolves when the loop has stopped (after `signal` aborts and the running pass ends). */
  readonly done: Promise<void>;
  /** Passes completed (successful or not): handy for tests and metrics. */
  passes(): number;
}

export interface ReconcileLoopOptions {
  readonly name: string;
  readonly intervalMs: number;
  readonly reconcile: () => Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Passes slower than this are logged as warnings (default: intervalMs). */
  readonly slowPassMs?: number;
}

export function runReconcileLoop(options: ReconcileLoopOptions): ReconcileLoop {
  const { clock, logger, signal } = options;
  let pending = true;
  let nextWake = Number.POSITIVE_INFINITY;
  let count = 0;
  let wake: AbortController | undefined;

  const poke = (): void => {
    wake?.abort();
  };

  async function run(): Promise<void> {
    let lastPassEnd = clock.now();
    while (!signal.aborted) {
      if (!pending) {
        const dueBy = Math.min(lastPassEnd + options.intervalMs, nextWake);
        const now = clock.now();
        if (now < dueBy) {
          wake = new AbortController();
          const onAbort = (): void => wake?.abort();
          signal.addEventListener('abort', onAbort, { once: true });
          await clock.sleep(dueBy - now, wake.signal);
          signal.removeEventListener('abort', onAbort);
          wake = undefined;
          // Woken early by trigger()/wakeAt()/abort, or due: decide again.
          continue;
        }
      }
      pending = false;
      if (nextWake <= clock.now()) nextWake = Number.POSITIVE_INFINITY;
      const started = clock.now();
      try {
        await options.reconcile();
      } catch (error) {
        logger.error(`${options.name} pass failed`, { err: describeError(error) });
      }
      count++;
      lastPassEnd = clock.now();
      const took = lastPassEnd - started;
      if (took > (options.slowPassMs ?? options.intervalMs)) {
        logger.warn(`${options.name} pass was slow`, { ms: took });
      }
    }
  }

  const done = run();
  return {
    trigger() {
      pending = true;
      poke();
    },
    wakeAt(at) {
      if (at < nextWake) {
        nextWake = at;
        poke();
      }
    },
    done,
    passes: () => count,
  };
}

/** A compact, log-friendly description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
