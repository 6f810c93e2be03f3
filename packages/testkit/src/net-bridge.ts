import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A Linux bridge made for one private dockerd (passed as `--bridge=NAME`). dockerd never creates
 * or deletes it: `--bridge=none` would make dockerd delete the host's docker0, and `--bip` would
 * reconfigure it, so each daemon gets its own bridge with its own /24 set here.
 */
export interface BridgeRecord {
  /** ≤ 15 characters (IFNAMSIZ). */
  readonly name: string;
  /** e.g. 10.203.17.0/24 */
  readonly subnet: string;
  /** The bridge's own address, the containers' gateway, e.g. 10.203.17.1 */
  readonly gateway: string;
}

export interface TestBridge extends BridgeRecord {
  remove(): Promise<void>;
}

// Slot i ↔ bridge `fltbr<i>` ↔ subnet 10.(200 + i/256).(i%256).0/24. Creating the link is atomic,
// so winning the name also reserves the subnet among concurrent test workers.
const SLOTS = 8 * 256;

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function overlaps(a: string, b: string): boolean {
  const [aNet = '', aLen = '32'] = a.split('/');
  const [bNet = '', bLen = '32'] = b.split('/');
  const len = Math.min(Number(aLen), Number(bLen));
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipToInt(aNet) & mask) >>> 0) === ((ipToInt(bNet) & mask) >>> 0);
}

/** IPv4 prefixes already on this host (interface addresses and routes, default excluded). */
async function usedPrefixes(): Promise<string[]> {
  const [addrs, routes] = await Promise.all([run('ip', ['-4', '-o', 'addr', 'show']), run('ip', ['-4', 'route', 'show'])]);
  const prefixes: string[] = [];
  for (const m of addrs.stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+\/\d+)/g)) prefixes.push(m[1]!);
  for (const line of routes.stdout.split('\n')) {
    const dest = line.split(' ')[0];
    if (dest !== undefined && /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(dest)) prefixes.push(dest);
  }
  return prefixes;
}

export async function createTestBridge(): Promise<TestBridge> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const slot = randomInt(SLOTS);
    const name = `fltbr${slot}`;
    const prefix = `10.${200 + Math.floor(slot / 256)}.${slot % 256}`;
    const subnet = `${prefix}.0/24`;
    const used = await usedPrefixes();
    if (used.some((p) => overlaps(p, subnet))) continue;
    try {
      await run('ip', ['link', 'add', name, 'type', 'bridge']);
    } catch {
      continue; // taken by another worker (or left over by a crashed run): try another slot
    }
    const bridge: TestBridge = { name, subnet, gateway: `${prefix}.1`, remove: () => removeBridge(name) };
    try {
      await run('ip', ['addr', 'add', `${prefix}.1/24`, 'dev', name]);
      await run('ip', ['link', 'set', name, 'up']);
    } catch (error) {
      await bridge.remove();
      throw error;
    }
    return bridge;
  }
  throw new Error('no free bridge name/subnet after 50 attempts');
}

/** Deletes the bridge; one that is already gone is fine. */
export async function removeBridge(name: string): Promise<void> {
  await run('ip', ['link', 'del', name]).catch(async (error: unknown) => {
    if (await bridgeExists(name)) throw error;
  });
}

export async function bridgeExists(name: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}
