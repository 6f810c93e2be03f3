import { readFile } from 'node:fs/promises';
import type { LogFields, Logger, TargetState, UnitRecord } from '@fleet/core';
import { createEtcdClient, EtcdRegistry, EtcdUnavailableError } from '@fleet/registry';
import type {
  CreateUnitOutcome,
  EtcdClient,
  MachineEntry,
  NewUnit,
  Registry,
  RegistryWatch,
  ScheduleEntry,
  UnitEntry,
  UnitStateEntry,
  UnschedulableEntry,
} from '@fleet/registry';
import { mapBounded } from './concurrency.js';
import { CliError } from './errors.js';
import type { GlobalOptions } from './global-options.js';

/** Attempts etcd3's global retry policy makes of one call (createEtcdClient's setting). */
/** How many --request-timeout periods one operation may take, retries included. */
const OPERATION_ATTEMPTS = 2;
/** Units per createUnits operation: a couple of txns, well within one deadline. */
const CREATE_CHUNK = 256;

/**
 * fleetctl's thin layer over the Registry port: one etcd client per run, every call bounded by
 * --request-timeout (etcd3 retries a failed call on its own, which could otherwise take several
 * deadlines), nothing else. Loaded only by commands that talk to etcd, so `--help` never pays
 * for etcd3 and gRPC.
 */
export class FleetApi {
  private constructor(
    private readonly client: EtcdClient,
    readonly registry: Registry,
    private readonly timeoutMs: number,
  ) {}

  static async open(globals: GlobalOptions, debug: (line: string) => void): Promise<FleetApi> {
    const tls = await readTls(globals);
    const client = createEtcdClient({
      endpoints: globals.endpoints,
      // Each attempt gets the whole --request-timeout: a request caught in an etcd leader election
      // stalls until it times out, and only a retry (on the new leader) can then succeed.
      callTimeoutMs: globals.requestTimeoutMs,
      ...(tls === undefined ? {} : { tls }),
    });
    const logger = globals.debug ? lineLogger(debug, {}) : silentLogger;
    const registry = new EtcdRegistry({ client, logger, prefix: globals.keyPrefix });
    // One retry's worth: a refused or unreachable etcd still fails at once, a stalled one within 2×.
    return new FleetApi(client, registry, globals.requestTimeoutMs * OPERATION_ATTEMPTS);
  }

  close(): void {
    this.client.close();
  }

  getUnit(name: string): Promise<UnitEntry | undefined> {
    return this.call('get unit', () => this.registry.getUnit(name));
  }

  /** The named units, looked up concurrently; missing ones map to undefined. */
  async getUnits(names: readonly string[]): Promise<Map<string, UnitEntry | undefined>> {
    const unique = [...new Set(names)];
    const entries = await mapBounded(unique, (name) => this.getUnit(name));
    return new Map(unique.map((name, i) => [name, entries[i]]));
  }

  listUnits(): Promise<UnitEntry[]> {
    return this.call('list units', () => this.registry.listUnits());
  }

  listMachines(): Promise<MachineEntry[]> {
    return this.call('list machines', () => this.registry.listMachines());
  }

  listStates(name?: string): Promise<UnitStateEntry[]> {
    return this.call('list unit states', () => this.registry.listStates(name));
  }

  listSchedule(machineId?: string): Promise<ScheduleEntry[]> {
    return this.call('list schedule', () => this.registry.listSchedule(machineId));
  }

  getUnschedulable(name: string): Promise<UnschedulableEntry | undefined> {
    return this.call('get unschedulable reason', () => this.registry.getUnschedulable(name));
  }

  /**
   * Calls `onChange` whenever a state of one of `names` is written or deleted (or the watch may
   * have missed some), from when this resolves. One watch a unit: a whole-cluster watch would
   * bring every agent's state writes to a command waiting for a few units.
   */
  async watchStates(names: readonly string[], onChange: () => void): Promise<RegistryWatch[]> {
    const handler = { onEvent: onChange, onResync: onChange };
    const opened = await Promise.allSettled(
      names.map((name) => this.call('watch unit states', () => this.registry.watchPrefix({ kind: 'states', name }, undefined, handler))),
    );
    const watches = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed === undefined) return watches;
    await Promise.allSettled(watches.map((w) => w.close()));
    throw failed.reason;
  }

  /** Registry.createUnits, in chunks that each get the operation's deadline, a few at a time. */
  async createUnits(units: readonly NewUnit[]): Promise<CreateUnitOutcome[]> {
    const chunks: NewUnit[][] = [];
    for (let i = 0; i < units.length; i += CREATE_CHUNK) chunks.push(units.slice(i, i + CREATE_CHUNK));
    const outcomes = await mapBounded(chunks, (chunk) => this.call('create units', () => this.registry.createUnits(chunk)), 4);
    return outcomes.flat();
  }

  replaceUnit(unit: UnitRecord, global: boolean, expectedModRevision: string): Promise<UnitEntry> {
    return this.call('replace unit', () => this.registry.replaceUnit(unit, { global, expectedModRevision }));
  }

  setTargetState(name: string, state: TargetState): Promise<UnitEntry> {
    return this.call('set target state', () => this.registry.setTargetState(name, state));
  }

  destroyUnit(name: string): Promise<boolean> {
    return this.call('destroy unit', () => this.registry.destroyUnit(name));
  }

  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const seconds = this.timeoutMs / 1000;
        reject(new EtcdUnavailableError(`etcd unavailable during ${operation}: no answer within ${seconds} s`));
      }, this.timeoutMs);
    });
    const pending = request();
    // Past the deadline nobody awaits it; its late failure must not become an unhandled rejection.
    pending.catch(() => undefined);
    try {
      return await Promise.race([pending, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}

async function readTls(globals: GlobalOptions): Promise<{ ca: Buffer; cert?: Buffer; key?: Buffer } | undefined> {
  if (globals.caFile === '' && globals.certFile === '' && globals.keyFile === '') return undefined;
  if (globals.caFile === '') throw new CliError('Error: --cert-file and --key-file need --ca-file');
  if ((globals.certFile === '') !== (globals.keyFile === '')) {
    throw new CliError('Error: --cert-file and --key-file must be given together');
  }
  const read = async (flag: string, path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (error) {
      const reason = (error as { code?: string }).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new CliError(`Error: cannot read --${flag} ${path}: ${reason}`);
    }
  };
  const ca = await read('ca-file', globals.caFile);
  if (globals.certFile === '') return { ca };
  return { ca, cert: await read('cert-file', globals.certFile), key: await read('key-file', globals.keyFile) };
}

const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

/** --debug: the registry's log lines on stderr. */
function lineLogger(write: (line: string) => void, bound: LogFields): Logger {
  const at =
    (level: string) =>
    (msg: string, fields: LogFields = {}): void => {
      const all = { ...bound, ...fields };
      write(`DEBUG ${level} ${msg}${Object.keys(all).length === 0 ? '' : ` ${JSON.stringify(all)}`}`);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => lineLogger(write, { ...bound, ...fields }),
  };
}
