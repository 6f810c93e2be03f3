import type Docker from 'dockerode';
import { DockerEndpointError } from './runtime-errors.js';

/**
 * dockerode connection options for an endpoint in Docker's own notation: `unix:///path` (or a
 * bare absolute socket path), `tcp://host:port`, `http://host:port`, `https://host:port`.
 * Every field is set explicitly so DOCKER_HOST and friends in the environment (which dockerode
 * reads as defaults) cannot redirect the agent to another daemon.
 */
export function dockerConnectionOptions(endpoint: string): Docker.DockerOptions {
  if (endpoint.startsWith('/')) return { socketPath: endpoint, host: undefined, port: undefined, protocol: 'http' };
  if (endpoint.startsWith('unix://')) {
    const socketPath = endpoint.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new DockerEndpointError(endpoint);
    return { socketPath, host: undefined, port: undefined, protocol: 'http' };
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new DockerEndpointError(endpoint);
  }
  const secure = url.protocol === 'https:';
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol) || url.hostname === '') throw new DockerEndpointError(endpoint);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 2376 : 2375) : Number(url.port),
    protocol: secure ? 'https' : 'http',
    socketPath: undefined,
  };
}
