import { describe, expect, it } from '@jest/globals';
import { dockerConnectionOptions } from '../../../packages/runtime/src/docker-endpoint.js';
import { DockerEndpointError } from '../../../packages/runtime/src/runtime-errors.js';

describe('dockerConnectionOptions', () => {
  it.each([
    ['unix:///var/run/docker.sock', { socketPath: '/var/run/docker.sock', host: undefined, port: undefined, protocol: 'http' }],
    ['/tmp/fd-x/docker.sock', { socketPath: '/tmp/fd-x/docker.sock', host: undefined, port: undefined, protocol: 'http' }],
    ['tcp://10.0.0.5:2375', { host: '10.0.0.5', port: 2375, protocol: 'http', socketPath: undefined }],
    ['tcp://docker.internal', { host: 'docker.internal', port: 2375, protocol: 'http', socketPath: undefined }],
    ['http://127.0.0.1:12375', { host: '127.0.0.1', port: 12375, protocol: 'http', socketPath: undefined }],
    ['https://[::1]:2376', { host: '::1', port: 2376, protocol: 'https', socketPath: undefined }],
    ['https://example.test', { host: 'example.test', port: 2376, protocol: 'https', socketPath: undefined }],
  ])('%s', (endpoint, expected) => {
    expect(dockerConnectionOptions(endpoint)).toEqual(expected);
  });

  it.each(['', 'unix://relative.sock', 'ssh://user@host', 'docker.sock', 'tcp://'])('rejects %j with DOCKER_ENDPOINT_INVALID', (endpoint) => {
    expect(() => dockerConnectionOptions(endpoint)).toThrow(DockerEndpointError);
    expect(() => dockerConnectionOptions(endpoint)).toThrow(/invalid Docker endpoint/);
  });
});
