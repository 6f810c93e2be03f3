import type { PortMapping } from './container-spec.js';
import { parseFailure, parsedValue, type Parsed } from './parsed.js';

const PROTOCOLS: readonly PortMapping['protocol'][] = ['tcp', 'udp', 'sctp'];
const PORT_RANGE = /^(\d{1,5})(?:-(\d{1,5}))?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

/**
 * One published-port value, `[[ip:][hostPort]:]containerPort[/protocol]`, as docker's `-p` and
 * Quadlet's PublishPort= read it. IPv6 host addresses go in brackets (`[::1]:8080:80`). Equal-size
 * ranges (`8000-8001:80-81`) expand to one mapping per port; an empty host port lets Docker choose.
 */
export function parsePortMappings(text: string): Parsed<PortMapping[]> {
  const spec = text.trim();
  const fail = (problem: string): Parsed<PortMapping[]> => parseFailure(`${problem} in "${spec}"`);
  if (spec === '') return parseFailure('empty port mapping');

  let rest = spec;
  let protocol: PortMapping['protocol'] = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const proto = rest.slice(slash + 1).toLowerCase();
    const known = PROTOCOLS.find((p) => p === proto);
    if (known === undefined) return fail(`invalid protocol "${rest.slice(slash + 1)}"`);
    protocol = known;
    rest = rest.slice(0, slash);
  }

  let hostIp: string | undefined;
  let parts: string[];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    const ip = close < 0 ? rest : rest.slice(1, close);
    if (close < 0 || !IPV6.test(ip) || rest[close + 1] !== ':') {
      return fail(`invalid host IP "${ip}"`);
    }
    hostIp = ip;
    parts = rest.slice(close + 2).split(':');
    if (parts.length !== 2) return fail('expected [ip]:hostPort:containerPort');
  } else {
    parts = rest.split(':');
    if (parts.length > 3) return fail('too many ":" (write an IPv6 address in brackets)');
    if (parts.length === 3) {
      const ip = parts.shift()!;
      if (ip !== '' && !IPV4.test(ip)) return fail(`invalid host IP "${ip}"`);
      hostIp = ip === '' ? undefined : ip;
    }
  }

  const containerText = parts.length === 2 ? parts[1]! : parts[0]!;
  const hostText = parts.length === 2 ? parts[0]! : '';
  const containerPorts = parsePortRange(containerText);
  if (containerPorts === null) return fail(`invalid container port "${containerText}"`);
  const hostPorts = hostText === '' ? undefined : parsePortRange(hostText);
  if (hostPorts === null) return fail(`invalid host port "${hostText}"`);
  if (hostPorts !== undefined && hostPorts.count !== containerPorts.count) {
    return fail(`host ports "${hostText}" and container ports "${containerText}" differ in number`);
  }

  const mappings: PortMapping[] = [];
  for (let k = 0; k < containerPorts.count; k++) {
    const mapping: PortMapping = { containerPort: containerPorts.first + k, protocol };
    if (hostIp !== undefined) mapping.hostIp = hostIp;
    if (hostPorts !== undefined) mapping.hostPort = hostPorts.first + k;
    mappings.push(mapping);
  }
  return parsedValue(mappings);
}

function parsePortRange(text: string): { first: number; count: number } | null {
  const m = PORT_RANGE.exec(text);
  if (m === null) return null;
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  if (first < 1 || last > 65535 || last < first) return null;
  return { first, count: last - first + 1 };
}
