import { parseUnitFile, serializeUnitFile, unitHash, type UnitRecord } from '@fleet/core';
import type { Registry } from '@fleet/registry';

/** Name of the i-th benchmark unit (zero-padded so name order is index order). */
export function benchUnitName(index: number): string {
  return `bench-${String(index).padStart(6, '0')}.service`;
}

/**
 * The i-th benchmark unit, desired state launched: a container unit like units/hello.service,
 * its own name in the description so that every unit has its own hash.
 */
export function benchUnit(index: number): UnitRecord {
  const name = benchUnitName(index);
  const file = parseUnitFile(
    [
      '[Unit]',
      `Description=Benchmark unit ${index}`,
      '',
      '[Service]',
      `ExecStart=/usr/bin/docker run --name bench-${index} fleet-test/busybox:1 /bin/sh -c "trap 'exit 0' INT TERM; while true; do sleep 60; done"`,
      '',
    ].join('\n'),
  );
  return { name, hash: unitHash(file), contents: serializeUnitFile(file), targetState: 'launched' };
}

/**
 * Creates units [from, from + count) through the registry (one create txn each, `concurrency`
 * in flight) — fleetctl's own cost is another benchmark's. Returns the wall time in ms.
 */
export async function submitUnits(registry: Registry, from: number, count: number, concurrency = 64): Promise<number> {
  const started = performance.now();
  let next = from;
  const end = from + count;
  const worker = async (): Promise<void> => {
    while (next < end) {
      const index = next++;
      await registry.createUnit(benchUnit(index), { global: false });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return performance.now() - started;
}
