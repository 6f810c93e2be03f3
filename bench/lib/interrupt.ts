/**
 * Ctrl-C (or SIGTERM) during a benchmark: every registered teardown runs (workers stopped, etcd
 * stopped, temp dirs removed), then the signal is raised again with its default action.
 */
const teardowns = new Set<() => Promise<void>>();
let installed = false;

export function onInterrupt(teardown: () => Promise<void>): () => void {
  teardowns.add(teardown);
  if (!installed) {
    installed = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        process.stderr.write(`\n${signal}: stopping the benchmark's processes…\n`);
        void Promise.allSettled([...teardowns].map((t) => t())).then(() => process.kill(process.pid, signal));
      });
    }
  }
  return () => teardowns.delete(teardown);
}
