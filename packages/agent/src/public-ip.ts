import { networkInterfaces } from 'node:os';

/**
 * fleet used the first global-unicast IPv4 of the default-route interface. Without a routing
 * table lookup we take the first non-internal IPv4, preferring interfaces that are not bridges or
 * veths (container plumbing); empty when there is none.
 */
export function detectPublicIp(): string {
  const all = Object.entries(networkInterfaces());
  const plumbing = /^(docker|br-|veth|fltbr|virbr|cni|flannel)/;
  const ordered = [...all.filter(([name]) => !plumbing.test(name)), ...all.filter(([name]) => plumbing.test(name))];
  for (const [, addresses] of ordered) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) return a.address;
    }
  }
  return '';
}
