import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What fleetd keeps on disk in `state_dir`: a generated machine id (when the host has no
 * /etc/machine-id) and the id of the lease its registration is bound to, so a restarted fleetd
 * takes over its own registration at once instead of waiting for the old lease to expire.
 */
export class StateDir {
  constructor(readonly path: string) {}

  async ensure(): Promise<void> {
    await mkdir(this.path, { recursive: true, mode: 0o700 });
  }

  /** config machine_id, else /etc/machine-id, else one generated once and kept here. */
  async machineId(configured: string, hostMachineIdFile = '/etc/machine-id'): Promise<string> {
    if (configured !== '') return configured;
    const fromHost = await readTrimmed(hostMachineIdFile);
    if (fromHost !== undefined && /^[0-9a-f]{32}$/.test(fromHost)) return fromHost;
    const file = join(this.path, 'machine-id');
    const kept = await readTrimmed(file);
    if (kept !== undefined && /^[0-9a-f]{32}$/.test(kept)) return kept;
    const id = randomBytes(16).toString('hex');
    await this.writeAtomically(file, `${id}\n`);
    return id;
  }

  async leaseId(): Promise<string | undefined> {
    const id = await readTrimmed(join(this.path, 'lease'));
    return id !== undefined && /^\d+$/.test(id) ? id : undefined;
  }

  async saveLeaseId(id: string): Promise<void> {
    await this.writeAtomically(join(this.path, 'lease'), `${id}\n`);
  }

  private async writeAtomically(file: string, text: string): Promise<void> {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, file);
  }
}

async function readTrimmed(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim().toLowerCase();
  } catch {
    return undefined;
  }
}
