import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EndpointProbe } from './etcd-outage.js';

/**
 * Probes etcd's client endpoints the way the lease holder needs when its keepalives go
 * unanswered: each endpoint's `/health` (served on the client URL, no auth), classified by how
 * it fails (etcd-outage.ts). Separate from the gRPC client on purpose: its circuit breakers and
 * reconnect backoff hide whether a member refused or never answered.
 */
export interface EtcdProbeOptions {
  /** Client URLs, as given to createEtcdClient (`http://host:port`, `https://…`, or `host:port`). */
  readonly endpoints: readonly string[];
  /** How long one probe may take; past it the endpoint is `silent` or `unreachable`. */
  readonly timeoutMs: number;
  /** PEM contents for https endpoints. */
  readonly tls?: { readonly ca: Buffer | string; readonly cert?: Buffer | string; readonly key?: Buffer | string };
}

export type EtcdProbe = () => Promise<EndpointProbe[]>;

export function createEtcdProbe(options: EtcdProbeOptions): EtcdProbe {
  const urls = options.endpoints.map((e) => new URL(/^[a-z]+:\/\//i.test(e) ? e : `http://${e}`));
  return () => Promise.all(urls.map((url) => probeEndpoint(url, options)));
}

function probeEndpoint(url: URL, options: EtcdProbeOptions): Promise<EndpointProbe> {
  return new Promise((resolve) => {
    let connected = false;
    let settled = false;
    const done = (result: EndpointProbe): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const secure = url.protocol === 'https:';
    const target = {
      host: url.hostname,
      port: url.port === '' ? 2379 : Number(url.port),
      path: '/health',
      method: 'GET',
      agent: false,
      ...(secure && options.tls !== undefined
        ? { ca: options.tls.ca, ...(options.tls.cert === undefined ? {} : { cert: options.tls.cert }), ...(options.tls.key === undefined ? {} : { key: options.tls.key }) }
        : {}),
    } as const;
    const req = (secure ? httpsRequest : httpRequest)(target, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      // Anything but etcd's own health answer proves nothing about etcd.
      res.on('end', () => done(/"health"\s*:\s*"?true/.test(body) ? 'serving' : /"health"/.test(body) ? 'no-leader' : 'silent'));
      res.on('error', () => done('silent'));
    });
    req.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') done('refused');
      else done(connected ? 'silent' : 'unreachable');
    });
    const timer = setTimeout(() => done(connected ? 'silent' : 'unreachable'), options.timeoutMs);
    req.end();
  });
}
