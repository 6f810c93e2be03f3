import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describeError, FLEET_VERSION, systemClock, type Logger, type MachineRecord } from '@fleet/core';
import { startEngine, type Engine } from '@fleet/engine';
import {
  createEtcdClient,
  createEtcdProbe,
  EtcdRegistry,
  Leadership,
  LeaseKeeper,
  MachineExistsError,
  probeTimeoutMs,
  type EtcdClient,
  type EtcdProbe,
} from '@fleet/registry';
import { DockerRuntime, type RuntimeInfo } from '@fleet/runtime';
import { Agent } from './agent.js';
import type { FleetdConfig } from './config.js';
import { detectPublicIp } from './public-ip.js';
import { StateDir } from './state-dir.js';

/**
 * One fleetd: the agent always, the engine unless disable_engine. This is the wiring of the
 * edges (etcd, Docker, lease, leadership) around the pure deciding code.
 */
export interface Fleetd {
  readonly machineId: string;
  /** Applies a re-read configuration (SIGHUP): metadata and public IP take effect at once. */
  reload(config: FleetdConfig): Promise<void>;
  /** Graceful stop; with `purge` the machine's containers are stopped and removed (fleet's purge). */
  shutdown(purge: boolean): Promise<void>;
}

const AGENT_RESYNC_MS = 5_000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

export async function startFleetd(initial: FleetdConfig, logger: Logger): Promise<Fleetd> {
  let config = initial;
  const state = new StateDir(config.state_dir);
  await state.ensure();
  const machineId = await state.machineId(config.machine_id);
  const log = logger.child({ machine: machineId });
  const stopping = new AbortController();

  const tls = await tlsOptions(config);
  const client = createEtcdClient({
    endpoints: config.etcd_servers,
    callTimeoutMs: config.etcd_request_timeout,
    ...tls,
    ...(config.etcd_username === undefined ? {} : { auth: { username: config.etcd_username, password: config.etcd_password ?? '' } }),
  });
  const registry = new EtcdRegistry({ client, logger: log, prefix: config.etcd_key_prefix });
  const runtime = new DockerRuntime(config.docker_endpoint, machineId);
  const docker = await retry('reach the Docker daemon', () => runtime.info(), log, stopping.signal);
  const startedAt = new Date().toISOString();
  const record = (): MachineRecord => machineRecord(machineId, config, docker, startedAt);

  const ttlSeconds = Math.max(1, Math.round(config.agent_ttl / 1000));
  // How the endpoints fail tells an etcd outage (keep everything running) from a partition (fence).
  const probe = createEtcdProbe({ endpoints: config.etcd_servers, timeoutMs: probeTimeoutMs(ttlSeconds * 1000), ...tls });
  const lease = await openLease(client, state, ttlSeconds, probe, log);
  await register(registry, record(), lease, log, stopping.signal);

  const agent = new Agent({
    registry,
    runtime,
    lease,
    machine: record,
    hostname: hostname(),
    logger: log,
    clock: systemClock,
    reconcileIntervalMs: AGENT_RESYNC_MS,
    launchStore: state,
  });
  await agent.start();

  // Lost lease while etcd may serve others: stop this machine's non-global containers before etcd
  // can expire the lease and the engine move them; then get a lease back (the same one if etcd
  // kept it), register again, and let the agent re-read its schedule before starting anything.
  let recovering = false;
  // A loss while recovering from the previous one (the new lease lost before or while
  // registering with it) must cause another recovery, or the machine stays unregistered for good.
  let lostAgain = false;
  lease.onLost((loss) => {
    if (stopping.signal.aborted) return;
    void agent.fence(loss.reason).catch((error: unknown) => log.error('fencing failed', { err: describeError(error) }));
    if (recovering) {
      lostAgain = true;
      return;
    }
    recovering = true;
    void (async () => {
      try {
        do {
          lostAgain = false;
          const { leaseId, resumed } = await retry('renew the lease', () => lease.regrant(), log, stopping.signal);
          if (!resumed) await state.saveLeaseId(leaseId);
          await register(registry, record(), lease, log, stopping.signal);
          log.info('registration restored', { leaseId, resumed });
          agent.setLease(lease);
        } while (lostAgain && !stopping.signal.aborted);
      } catch (error) {
        if (!stopping.signal.aborted) log.error('could not restore registration', { err: describeError(error) });
      } finally {
        recovering = false;
      }
    })();
  });

  let engine: Engine | undefined;
  let leadership: Leadership | undefined;
  if (!config.disable_engine) {
    leadership = new Leadership({ client, logger: log, candidateId: machineId, ttlSeconds, prefix: config.etcd_key_prefix });
    engine = startEngine({
      registry,
      leadership,
      logger: log,
      clock: systemClock,
      reconcileIntervalMs: config.engine_reconcile_interval,
      massLoss: { threshold: config.mass_loss_threshold, graceMs: config.mass_loss_grace, windowMs: config.agent_ttl },
    });
    leadership.start();
  }
  log.info('fleetd started', { version: FLEET_VERSION, engine: !config.disable_engine, docker: config.docker_endpoint, leaseId: lease.id });

  return {
    machineId,
    async reload(next) {
      const restartNeeded = (['etcd_servers', 'etcd_key_prefix', 'docker_endpoint', 'agent_ttl', 'disable_engine', 'state_dir', 'machine_id'] as const).filter(
        (key) => JSON.stringify(next[key]) !== JSON.stringify(config[key]),
      );
      if (restartNeeded.length > 0) log.warn('these settings take effect only after a restart', { keys: restartNeeded });
      config = { ...next, etcd_servers: config.etcd_servers, etcd_key_prefix: config.etcd_key_prefix, docker_endpoint: config.docker_endpoint, agent_ttl: config.agent_ttl, disable_engine: config.disable_engine, state_dir: config.state_dir, machine_id: config.machine_id };
      await register(registry, record(), lease, log, stopping.signal);
      agent.trigger();
      log.info('configuration reloaded', { metadata: config.metadata, publicIp: record().publicIp });
    },
    async shutdown(purge) {
      stopping.abort();
      log.info('fleetd stopping', { purge });
      await engine?.stop();
      await leadership?.stop().catch((error: unknown) => log.warn('could not resign leadership', { err: describeError(error) }));
      await agent.stop(purge);
      if (purge) {
        await registry.deregisterMachine(machineId, lease).catch(() => false);
        await lease.revoke().catch((error: unknown) => log.warn('could not revoke lease', { err: describeError(error) }));
      } else {
        // Keep the lease alive on etcd's side until TTL: a quick restart adopts it and its units.
        lease.release();
      }
      client.close();
      log.info('fleetd stopped');
    },
  };
}

function machineRecord(id: string, config: FleetdConfig, docker: RuntimeInfo, startedAt: string): MachineRecord {
  return {
    id,
    publicIp: config.public_ip !== '' ? config.public_ip : detectPublicIp(),
    metadata: config.metadata,
    version: FLEET_VERSION,
    dockerEndpoint: config.docker_endpoint,
    dockerVersion: docker.version,
    cpus: docker.cpus,
    memoryBytes: docker.memoryBytes,
    startedAt,
  };
}

async function tlsOptions(config: FleetdConfig): Promise<{ tls?: { ca: Buffer; cert?: Buffer; key?: Buffer } }> {
  if (config.etcd_cafile === undefined) return {};
  return {
    tls: {
      ca: await readFile(config.etcd_cafile),
      ...(config.etcd_certfile === undefined ? {} : { cert: await readFile(config.etcd_certfile) }),
      ...(config.etcd_keyfile === undefined ? {} : { key: await readFile(config.etcd_keyfile) }),
    },
  };
}

/** The lease from the previous run if etcd still has it (so a restart keeps its registration), else a new one. */
async function openLease(client: EtcdClient, state: StateDir, ttlSeconds: number, probe: EtcdProbe, log: Logger): Promise<LeaseKeeper> {
  const saved = await state.leaseId();
  const options = { client, ttlSeconds, logger: log, probe };
  const { keeper, adopted } = await retry(
    'obtain a lease',
    () => (saved === undefined ? LeaseKeeper.grant(options).then((keeper) => ({ keeper, adopted: false })) : LeaseKeeper.adopt({ ...options, leaseId: saved })),
    log,
  );
  if (adopted) log.info('resumed the previous run\'s lease: its registration and unit states carry over', { leaseId: keeper.id });
  else await state.saveLeaseId(keeper.id);
  return keeper;
}

/** Registers the machine; while another live fleetd holds this machine id, refuses to fight and waits (fleet #1241). */
async function register(registry: EtcdRegistry, record: MachineRecord, lease: LeaseKeeper, log: Logger, signal?: AbortSignal): Promise<void> {
  let warned = false;
  await retry(
    'register the machine',
    async () => {
      try {
        await registry.registerMachine(record, lease);
      } catch (error) {
        if (error instanceof MachineExistsError && !warned) {
          warned = true;
          log.error(`another live fleetd is registered with machine id ${record.id}; not taking over its registration — waiting for it to go away (give each host its own /etc/machine-id or machine_id)`);
        }
        throw error;
      }
    },
    log,
    signal,
  );
}

/** Runs `fn` until it succeeds, with capped exponential backoff; aborts with the signal. */
async function retry<T>(what: string, fn: () => Promise<T>, log: Logger, signal?: AbortSignal): Promise<T> {
  let delay = RETRY_MIN_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (signal?.aborted) throw error;
      if (attempt === 1 || attempt % 10 === 0) log.warn(`could not ${what}; retrying`, { attempt, err: describeError(error) });
      await systemClock.sleep(delay, signal);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
}
