/**
 * What reaches etcd, from etcd's own Prometheus endpoint (`<client URL>/metrics`): unary gRPC
 * calls by method (grpc_server_handled_total), messages received on streams by method
 * (grpc_server_msg_received_total: lease keepalives, watch creates and cancels) and the bytes its
 * client gRPC server received and sent.
 */
export interface EtcdCounters {
  /** Unary calls by method (Range, Txn, Put, LeaseGrant…). */
  readonly unary: Readonly<Record<string, number>>;
  /** Stream messages received, by method (LeaseKeepAlive, Watch). */
  readonly streamMessages: Readonly<Record<string, number>>;
  readonly receivedBytes: number;
  readonly sentBytes: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Parses the counters above out of Prometheus text exposition. */
export function parseEtcdMetrics(text: string): EtcdCounters {
  const unary: Record<string, number> = {};
  const streamMessages: Record<string, number> = {};
  let receivedBytes = 0;
  let sentBytes = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const [, name, labelText = '', valueText] = match;
    const value = Number(valueText);
    if (!Number.isFinite(value)) continue;
    if (name === 'etcd_network_client_grpc_received_bytes_total') receivedBytes += value;
    else if (name === 'etcd_network_client_grpc_sent_bytes_total') sentBytes += value;
    else if (name === 'grpc_server_handled_total' || name === 'grpc_server_msg_received_total') {
      const labels: Record<string, string> = {};
      for (const [, key, v] of labelText.matchAll(LABEL)) labels[key!] = v!;
      const method = labels['grpc_method'] ?? 'unknown';
      const type = labels['grpc_type'];
      if (name === 'grpc_server_handled_total' && type === 'unary') unary[method] = (unary[method] ?? 0) + value;
      if (name === 'grpc_server_msg_received_total' && type !== 'unary') streamMessages[method] = (streamMessages[method] ?? 0) + value;
    }
  }
  return { unary, streamMessages, receivedBytes, sentBytes };
}

export async function scrapeEtcd(endpoint: string): Promise<EtcdCounters> {
  const response = await fetch(`${endpoint}/metrics`);
  if (!response.ok) throw new Error(`${endpoint}/metrics answered ${response.status}`);
  return parseEtcdMetrics(await response.text());
}

/** What happened between two scrapes. */
export interface EtcdTraffic {
  readonly seconds: number;
  readonly unary: Readonly<Record<string, number>>;
  readonly streamMessages: Readonly<Record<string, number>>;
  readonly unaryTotal: number;
  readonly streamMessagesTotal: number;
  readonly receivedBytes: number;
  readonly sentBytes: number;
}

function delta(after: Readonly<Record<string, number>>, before: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(after).sort()) {
    const d = (after[key] ?? 0) - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

const sum = (values: Readonly<Record<string, number>>): number => Object.values(values).reduce((a, b) => a + b, 0);

export function trafficBetween(before: EtcdCounters, after: EtcdCounters, seconds: number): EtcdTraffic {
  const unary = delta(after.unary, before.unary);
  const streamMessages = delta(after.streamMessages, before.streamMessages);
  return {
    seconds,
    unary,
    streamMessages,
    unaryTotal: sum(unary),
    streamMessagesTotal: sum(streamMessages),
    receivedBytes: after.receivedBytes - before.receivedBytes,
    sentBytes: after.sentBytes - before.sentBytes,
  };
}

/** `Range 12, Txn 3` — the busiest first. */
export function describeByMethod(counts: Readonly<Record<string, number>>, seconds: number): string {
  return Object.entries(counts)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([method, n]) => `${method} ${(n / seconds).toFixed(2)}/s`)
    .join(', ');
}
