import { systemClock } from '@fleet/core';
import { startEngine, type Engine } from '@fleet/engine';
import {
  createEtcdClient,
  EtcdRegistry,
  Leadership,
  type EtcdClient,
  type FencingGuard,
  type Registry,
  type ScheduleChange,
} from '@fleet/registry';
import { HollowMachine } from './hollow-machine.js';
import { CountingLogger } from './lib/counting-logger.js';
import type { EngineCall, FromWorker, ToWorker, WorkerConfig, WorkerProgress } from './lib/protocol.js';

/**
 * A benchmark worker process (forked with an IPC channel by hollow-cluster.ts): runs its share
 * of hollow machines, and an engine candidate if asked, and reports progress. It stops on `stop`
 * or when the benchmark goes away (IPC disconnect).
 */
const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const logger = new CountingLogger(config.logFile);
const log = logger.child({ worker: config.name });
const clients: EtcdClient[] = [];
const registries: Registry[] = [];
const machines: HollowMachine[] = [];
let engine: Engine | undefined;
let leadership: Leadership | undefined;
let stopping: Promise<void> | undefined;

let launched = 0;
let launchedAt = 0;
let scheduled = 0;
let scheduledAt = 0;
let electedAt: number | undefined;

function send(message: FromWorker): void {
  if (process.connected) process.send?.(message);
}

function clientGroup(slot: number): { client: EtcdClient; registry: Registry } {
  const group = Math.floor(slot / config.agentsPerClient);
  let client = clients[group];
  if (client === undefined) {
    client = createEtcdClient({ endpoints: [config.endpoint] });
    clients[group] = client;
    registries[group] = new EtcdRegistry({ client, logger: log, prefix: config.prefix });
  }
  return { client, registry: registries[group]! };
}

const MAX_ENGINE_CALLS = 100;
const engineCalls: EngineCall[] = [];

function recordCall(call: EngineCall): void {
  if (engineCalls.length < MAX_ENGINE_CALLS) engineCalls.push(call);
}

/** The engine's registry, timing its snapshots and applies and counting committed placements. */
function countingPlacements(registry: Registry): Registry {
  return new Proxy(registry, {
    get(target, property) {
      if (property === 'applyScheduleChanges') {
        return async (changes: readonly ScheduleChange[], guard: FencingGuard, readRevision: string) => {
          const at = Date.now();
          const started = performance.now();
          const result = await target.applyScheduleChanges(changes, guard, readRevision);
          recordCall({ call: 'apply', at, ms: performance.now() - started, changes: changes.length, applied: result.applied });
          const placed = changes.filter((c, i) => result.landed[i] === true && c.kind === 'schedule').length;
          if (placed > 0) {
            scheduled += placed;
            scheduledAt = Date.now();
          }
          return result;
        };
      }
      if (property === 'snapshot') {
        return async () => {
          const at = Date.now();
          const started = performance.now();
          const snap = await target.snapshot();
          recordCall({ call: 'snapshot', at, ms: performance.now() - started, units: snap.units.length });
          return snap;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function startMachines(): Promise<void> {
  const started = performance.now();
  let next = 0;
  const starter = async (): Promise<void> => {
    while (next < config.machines) {
      const slot = next++;
      const { client, registry } = clientGroup(slot);
      machines.push(
        await HollowMachine.start({
          index: config.firstMachine + slot,
          client,
          registry,
          ttlSeconds: config.ttlSeconds,
          logger: log,
          onLaunched: () => {
            launched++;
            launchedAt = Date.now();
          },
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(20, config.machines) }, starter));
  send({ kind: 'ready', machines: machines.length, ms: performance.now() - started });
}

function lead(): void {
  if (!config.engine || leadership !== undefined) return;
  // Like fleetd: the engine shares the process's (first) client with its agent.
  const { client, registry } = clientGroup(0);
  leadership = new Leadership({
    client,
    logger: log,
    candidateId: machines[0]?.id ?? `bench-engine-${config.name}`,
    ttlSeconds: config.ttlSeconds,
    prefix: config.prefix,
  });
  leadership.onChange((isLeader) => {
    if (isLeader) electedAt ??= Date.now();
  });
  engine = startEngine({
    registry: countingPlacements(registry),
    leadership,
    logger: log,
    clock: systemClock,
    reconcileIntervalMs: config.engineReconcileMs,
    massLoss: { threshold: 0.5, graceMs: 60_000, windowMs: config.ttlSeconds * 1000 },
  });
  leadership.start();
}

function progress(): WorkerProgress {
  return {
    launched,
    launchedAt,
    scheduled,
    scheduledAt,
    electedAt,
    enginePasses: engine?.passes() ?? 0,
    engineCalls: [...engineCalls],
    warnings: logger.warnings,
    errors: logger.errors,
    lastProblem: logger.lastProblem,
  };
}

let lastSent = '';
const reporter = setInterval(() => {
  const current = progress();
  const text = JSON.stringify(current);
  if (text === lastSent) return;
  lastSent = text;
  send({ kind: 'progress', progress: current });
}, 100);

function stop(): Promise<void> {
  stopping ??= (async () => {
    clearInterval(reporter);
    send({ kind: 'progress', progress: progress() });
    logger.muted = true;
    await engine?.stop();
    await leadership?.stop().catch(() => undefined);
    await Promise.allSettled(machines.map((m) => m.stop()));
    for (const client of clients) client.close();
    await logger.close();
    send({ kind: 'stopped' });
    process.disconnect?.();
  })();
  return stopping;
}

process.on('message', (message: ToWorker) => {
  if (message.kind === 'lead') lead();
  else if (message.kind === 'stop') void stop();
});
process.on('disconnect', () => void stop());

startMachines().catch((error: unknown) => {
  send({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  void stop();
});
