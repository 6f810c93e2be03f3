import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describeError, FLEET_VERSION } from '@fleet/core';
import { parseFleetdArgs, resolveConfig, type ConfigResult } from './config.js';
import { startFleetd } from './fleetd.js';
import { createPinoLogger } from './pino-logger.js';

/**
 * fleetd's entry point: reads configuration (flags > FLEET_* env > config file > defaults), runs
 * until SIGTERM/SIGINT (graceful stop; purges this machine's units unless --keep-units), reloads
 * on SIGHUP. Returns the exit code: 2 for bad configuration, with nothing started.
 */
const DEFAULT_CONFIG_FILE = '/etc/fleet/fleet.conf';

const USAGE = `Usage: fleetd [--config FILE] [--keep-units] [--<key-with-dashes> VALUE ...]

Runs the fleet agent (and the engine unless --disable-engine) on this host.
Configuration keys (fleet.conf, FLEET_<KEY> environment, or --key-with-dashes flags):
  etcd_servers etcd_key_prefix etcd_cafile etcd_certfile etcd_keyfile etcd_username
  etcd_password etcd_request_timeout metadata public_ip agent_ttl engine_reconcile_interval
  disable_engine verbosity machine_id state_dir docker_endpoint mass_loss_threshold mass_loss_grace
See docs/fleetd.md.`;

async function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<ConfigResult> {
  const args = parseFleetdArgs(argv);
  const fileName = args.configFile ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  let fileText: string | undefined;
  if (fileName !== undefined) {
    try {
      fileText = await readFile(fileName, 'utf8');
    } catch (error) {
      return { ok: false, errors: [`cannot read config file ${fileName}: ${describeError(error)}`] };
    }
  }
  return resolveConfig({ argv, env, ...(fileText === undefined ? {} : { fileText, fileName }) });
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseFleetdArgs(argv);
  if (args.version) {
    process.stdout.write(`fleetd version ${FLEET_VERSION}\n`);
    return 0;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const loaded = await loadConfig(argv, env);
  if (!loaded.ok) {
    for (const line of loaded.errors) process.stderr.write(`fleetd: invalid configuration: ${line}\n`);
    return 2;
  }
  const logger = createPinoLogger(loaded.config.verbosity);
  let fleetd;
  try {
    fleetd = await startFleetd(loaded.config, logger);
  } catch (error) {
    logger.error('fleetd could not start', { err: describeError(error) });
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('received signal, shutting down', { signal });
      fleetd
        .shutdown(!loaded.config.keepUnits)
        .then(() => resolve(0))
        .catch((error: unknown) => {
          logger.error('unclean shutdown', { err: describeError(error) });
          resolve(1);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      logger.info('Reloading configuration');
      void loadConfig(argv, env).then(async (next) => {
        if (!next.ok) {
          logger.error('new configuration is invalid; keeping the old one', { errors: next.errors });
          return;
        }
        await fleetd.reload(next.config).catch((error: unknown) => logger.error('reload failed', { err: describeError(error) }));
      });
    });
  });
}
