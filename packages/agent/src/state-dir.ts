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

  /** The agent's launch records (which container each launched unit runs), so Restart=no survives a fleetd restart. */
  async launches(): Promise<Record<string, { containerId: string; restarts: number }>> {
    const text = await readTrimmed(join(this.path, 'launches.json'), false);
    if (text === undefined) return {};
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed !== 'object' || parsed === null) return {};
      const out: Record<string, { containerId: string; restarts: number }> = {};
      for (const [unit, v] of Object.entries(parsed as Record<string, unknown>)) {
        const r = v as { containerId?: unknown; restarts?: unknown };
        if (typeof r.containerId === 'string' && typeof r.restarts === 'number') out[unit] = { containerId: r.containerId, restarts: r.restarts };
      }
      return out;
    } catch {
      return {};
    }
  }

  async saveLaunches(launches: Readonly<Record<string, { containerId: string; restarts: number }>>): Promise<void> {
    await this.writeAtomically(join(this.path, 'launches.json'), `${JSON.stringify(launches)}\n`);
  }

  private async writeAtomically(file: string, text: string): Promise<void> {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, file);
  }
}

async function readTrimmed(file: string, lowerCase = true): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return lowerCase ? text.toLowerCase() : text;
  } catch {
    return undefined;
  }
}
