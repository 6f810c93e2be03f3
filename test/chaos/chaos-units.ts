import { TEST_IMAGE } from '@fleet/testkit';

/**
 * The chaos suite's 22 units: 6 plain, 6 in a Conflicts group (more than machines, so three stay
 * unplaced and must stay that way), 4 ping/pong MachineOf pairs, a Global unit and a Global unit
 * limited by MachineMetadata. All are busybox shells that exit at once on SIGTERM, so every
 * double-run window measures fleet, not a slow unit.
 */
export interface GlobalUnit {
  readonly name: string;
  /** MachineMetadata it requires (empty: every machine). */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface UnitCatalogue {
  readonly files: Readonly<Record<string, string>>;
  /** Non-global units outside the Conflicts group: each must run exactly once. */
  readonly single: readonly string[];
  /** [peer, follower]: the follower has MachineOf=peer. */
  readonly pairs: readonly (readonly [string, string])[];
  /** Mutually conflicting: at most one per machine, as many as there are machines. */
  readonly conflictGroup: readonly string[];
  readonly globals: readonly GlobalUnit[];
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/**
 * sh runs the trap only once its foreground command returns (testkit's loopUnit: up to its
 * `sleep 1`); `wait` on a background sleep is interrupted at once.
 */
function promptUnit(extra = ''): string {
  return `[Unit]
Description=Chaos test unit

[Container]
Image=${TEST_IMAGE}
Exec=/bin/sh -c "trap 'exit 0' INT TERM; echo started %n; sleep 2147483647 & wait"
Pull=never
${extra === '' ? '' : `\n${extra}\n`}`;
}

export function chaosUnits(): UnitCatalogue {
  const plain = range(6).map((i) => `plain-${i}.service`);
  const conflictGroup = range(6).map((i) => `cg-${i}.service`);
  const pairs = range(4).map((i) => [`ping-${i}.service`, `pong-${i}.service`] as const);
  const globals: GlobalUnit[] = [
    { name: 'global-all.service', metadata: {} },
    { name: 'global-edge.service', metadata: { role: 'edge' } },
  ];
  const files: Record<string, string> = {};
  for (const u of plain) files[u] = promptUnit();
  for (const u of conflictGroup) files[u] = promptUnit('[X-Fleet]\nConflicts=cg-*.service');
  for (const [ping, pong] of pairs) {
    files[ping] = promptUnit();
    files[pong] = promptUnit(`[X-Fleet]\nMachineOf=${ping}`);
  }
  for (const g of globals) {
    const metadata = Object.entries(g.metadata).map(([k, v]) => `\nMachineMetadata=${k}=${v}`).join('');
    files[g.name] = promptUnit(`[X-Fleet]\nGlobal=true${metadata}`);
  }
  return { files, single: [...plain, ...pairs.flat()], pairs, conflictGroup, globals };
}

export function allUnitNames(catalogue: UnitCatalogue): string[] {
  return Object.keys(catalogue.files).sort();
}
