import { describe, expect, it } from '@jest/globals';
import { FleetError } from '@fleet/core';
import { CliError, describeFailure } from '../../../packages/cli/src/errors.js';

const context = { endpoints: 'http://127.0.0.1:2379', debug: false, requestTimeoutMs: 3000 };

describe('describeFailure: the one mapping from failures to stderr and exit codes', () => {
  it.each<[string, unknown, string, number]>([
    ['a worded CLI error', new CliError('Unit x.service not found'), 'Unit x.service not found\n', 1],
    ['an interrupt', new CliError('Interrupted', 130), 'Interrupted\n', 130],
    [
      'a refused connection',
      new FleetError('ETCD_UNAVAILABLE', 'etcd unavailable during get unit: 14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2379. Resolution note: '),
      'Error: cannot reach etcd at http://127.0.0.1:2379: connect ECONNREFUSED 127.0.0.1:2379\n',
      1,
    ],
    [
      "gRPC's deadline",
      new FleetError('ETCD_UNAVAILABLE', 'etcd unavailable during list units: 4 DEADLINE_EXCEEDED: Deadline exceeded after 1.000s,Waiting for LB pick'),
      'Error: cannot reach etcd at http://127.0.0.1:2379: no answer within 3 s\n',
      1,
    ],
    ['an etcd refusal', new FleetError('ETCD_ERROR', 'etcd error during create unit: permission denied'), 'Error: etcd refused the request: create unit: permission denied\n', 1],
    ['a Docker failure', new FleetError('DOCKER_UNAVAILABLE', 'Docker at unix:///x is unavailable (read logs): connect ENOENT /x'), 'Error: Docker at unix:///x is unavailable (read logs): connect ENOENT /x\n', 1],
  ])('%s', (_what, error, text, exitCode) => {
    expect(describeFailure(error, context)).toEqual({ text, exitCode });
  });

  it('keeps the stack of an unexpected error (a bug), exit 1', () => {
    const report = describeFailure(new TypeError('x is undefined'), context);
    expect(report.exitCode).toBe(1);
    expect(report.text).toMatch(/^Unexpected error: TypeError: x is undefined\n\s+at /);
  });
});
