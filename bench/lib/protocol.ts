/**
 * Messages between a benchmark and its worker processes (Node IPC). A worker runs some hollow
 * machines and/or an engine candidate; the benchmark steers it and reads its progress.
 */
export interface WorkerConfig {
  readonly name: string;
  readonly endpoint: string;
  readonly prefix: string;
  /** Hollow machines [firstMachine, firstMachine + machines). */
  readonly firstMachine: number;
  readonly machines: number;
  /** Take part in the engine election once told to `lead`. */
  readonly engine: boolean;
  /** Hollow agents sharing one etcd client (one gRPC connection). */
  readonly agentsPerClient: number;
  readonly ttlSeconds: number;
  /** Engine's periodic resync (fleetd's engine_reconcile_interval). */
  readonly engineReconcileMs: number;
  /** Warnings and errors are written here (and counted). */
  readonly logFile: string;
}

export type ToWorker = { readonly kind: 'lead' } | { readonly kind: 'stop' };

export interface WorkerProgress {
  /** Units whose `active` state the agents here published (each counted once). */
  readonly launched: number;
  /** Epoch ms of the last of those publishes. */
  readonly launchedAt: number;
  /** Placements (`schedule` changes) the engine here committed. */
  readonly scheduled: number;
  readonly scheduledAt: number;
  /** Epoch ms the engine here became leader. */
  readonly electedAt: number | undefined;
  readonly enginePasses: number;
  /** The engine's registry reads and writes, in order (the first 100). */
  readonly engineCalls: readonly EngineCall[];
  readonly warnings: number;
  readonly errors: number;
  readonly lastProblem: string | undefined;
}

export type FromWorker =
  | { readonly kind: 'ready'; readonly machines: number; readonly ms: number }
  | { readonly kind: 'progress'; readonly progress: WorkerProgress }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'failed'; readonly error: string };

/** One timed engine call: a snapshot read, or an apply (`changes` given, `applied` committed). */
export interface EngineCall {
  readonly call: 'snapshot' | 'apply';
  /** Epoch ms. */
  readonly at: number;
  readonly ms: number;
  readonly units?: number;
  readonly changes?: number;
  readonly applied?: number;
}
