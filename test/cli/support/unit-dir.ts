import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp directory of unit files; tests name files by absolute path, as a user would by relative one. */
export interface UnitDir {
  readonly dir: string;
  /** Writes `name` with `contents` and returns its path. */
  write(name: string, contents: string): Promise<string>;
  path(name: string): string;
  remove(): Promise<void>;
}

export async function makeUnitDir(): Promise<UnitDir> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetctl-units-'));
  return {
    dir,
    async write(name, contents) {
      const path = join(dir, name);
      await writeFile(path, contents);
      return path;
    },
    path: (name) => join(dir, name),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A valid container unit. */
export function containerUnit(description: string, extra = ''): string {
  return `[Unit]\nDescription=${description}\n\n[Container]\nImage=fleet-test/busybox:1\nExec=/bin/sh -c "while true; do echo hi; sleep 1; done"\nPull=never\n${extra}`;
}
