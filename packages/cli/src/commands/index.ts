import type { CommandSpec } from '../command.js';
import { catCommand } from './cat.js';
import { completionCommand } from './completion.js';
import { destroyCommand } from './destroy.js';
import { journalCommand } from './journal.js';
import { listMachinesCommand } from './list-machines.js';
import { listUnitFilesCommand } from './list-unit-files.js';
import { listUnitsCommand } from './list-units.js';
import { loadCommand } from './load.js';
import { restartCommand } from './restart.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import { stopCommand } from './stop.js';
import { submitCommand } from './submit.js';
import { unloadCommand } from './unload.js';
import { versionCommand } from './version.js';

/** Every command, in the order `fleetctl help` lists them. Light: no command loads etcd3 or Docker until it runs. */
export const COMMANDS: readonly CommandSpec[] = [
  catCommand,
  destroyCommand,
  journalCommand,
  listMachinesCommand,
  listUnitFilesCommand,
  listUnitsCommand,
  loadCommand,
  restartCommand,
  startCommand,
  statusCommand,
  stopCommand,
  submitCommand,
  unloadCommand,
  versionCommand,
  completionCommand,
];
