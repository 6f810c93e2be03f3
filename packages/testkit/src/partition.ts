import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { FleetdMachine } from './cluster.js';
import type { EtcdServer } from './etcd.js';
import { armSentinel } from './sentinel.js';

const run = promisify(execFile);

/**
 * Cuts one fleetd off from etcd the way a network partition does (toolchain.md §4.3): packets to
 * etcd's client port on that fleetd's own loopback address are dropped, so its connections hang
 * and new ones time out, while etcd, the other machines and the test's own client (on 127.0.0.1)
 * carry on. Each rule carries a unique comment and is removed by heal(), or by a sentinel if the
 * test process dies first. Needs root and iptables.
 */
export interface Partition {
  /** The iptables comment that marks this partition's rules. */
  readonly tag: string;
  /** Removes the rules; safe to repeat. */
  heal(): Promise<void>;
}

function ruleSpecs(address: string, ports: readonly number[], tag: string): string[][] {
  return ports.map((port) => ['INPUT', '-i', 'lo', '-d', address, '-p', 'tcp', '--dport', String(port), '-m', 'comment', '--comment', tag, '-j', 'DROP']);
}

/** Drops TCP to `ports` on the loopback `address` (never 127.0.0.1, which everything shares). */
export async function dropLoopbackTraffic(address: string, ports: readonly number[]): Promise<Partition> {
  if (!/^127\.\d+\.\d+\.\d+$/.test(address) || address === '127.0.0.1') {
    throw new Error(`refusing to partition ${address}: only a machine's own 127.x address other than 127.0.0.1`);
  }
  const tag = `fleet-test-partition-${randomBytes(4).toString('hex')}`;
  const specs = ruleSpecs(address, ports, tag);
  const deleteScript = specs.map((spec) => `iptables -w -D ${spec.join(' ')} 2>/dev/null`).join('; ');
  const sentinel = armSentinel('sh -c "$FT_DELETE"', { FT_DELETE: deleteScript });
  const added: string[][] = [];
  let healed = false;
  const heal = async (): Promise<void> => {
    if (healed) return;
    healed = true;
    for (const spec of added) await run('iptables', ['-w', '-D', ...spec]).catch(() => undefined);
    sentinel.disarm();
  };
  try {
    for (const spec of specs) {
      await run('iptables', ['-w', '-I', ...spec]);
      added.push(spec);
    }
  } catch (error) {
    await heal();
    throw error;
  }
  return { tag, heal };
}

/** Partitions `machine` (started with MachineOptions.etcdAddress) from every etcd member. */
export function partitionFromEtcd(machine: FleetdMachine, etcdMembers: readonly EtcdServer[]): Promise<Partition> {
  if (machine.etcdAddress === undefined) throw new Error(`fleetd-${machine.name} has no etcd address of its own (MachineOptions.etcdAddress)`);
  return dropLoopbackTraffic(
    machine.etcdAddress,
    etcdMembers.map((m) => Number(new URL(m.endpoint).port)),
  );
}
