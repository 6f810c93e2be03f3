import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTAINER_LABELS } from '@fleet/core';
import { DockerRuntime, type ContainerEvent } from '@fleet/runtime';
import { eventually } from '@fleet/testkit';

const MACHINE = '33333333333333333333333333333333';

/** One Engine API event line, as dockerd 20.10 writes it. */
function eventLine(id: string, action: string, timeNano: bigint, machine = MACHINE, extra: Record<string, string> = {}): string {
  return `${JSON.stringify({
    status: action,
    id,
    Type: 'container',
    Action: action,
    Actor: {
      ID: id,
      Attributes: { [CONTAINER_LABELS.unit]: 'ev.service', [CONTAINER_LABELS.hash]: 'h', [CONTAINER_LABELS.machine]: machine, name: 'fleet-ev.service', ...extra },
    },
    scope: 'local',
    time: Number(timeNano / 1_000_000_000n),
    // Written as a bare integer, like Docker does (it exceeds 2^53).
    timeNano: '__NANO__',
  }).replace('"__NANO__"', String(timeNano))}\n`;
}

// A fake Engine that scripts the event stream per connection, to exercise reconnects.
describe('DockerRuntime.events reconnects', () => {
  let dir: string;
  let server: Server;
  const requests: URL[] = [];
  const open = new Set<ServerResponse>();
  const T1 = 1_700_000_000_123_456_789n;
  const T2 = T1 + 5n;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-fake-engine-'));
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://engine');
      if (url.pathname !== '/events') {
        res.writeHead(404).end();
        return;
      }
      requests.push(url);
      const attempt = requests.length;
      if (attempt === 1) {
        res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'events are broken' }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (attempt === 2) {
        // A line split across two writes, then the daemon closes the stream.
        const line = eventLine('c1', 'start', T1);
        res.write(line.slice(0, 20));
        res.end(line.slice(20));
        return;
      }
      // Replay from `since` (the start again), then new events; one belongs to another machine.
      res.write(eventLine('c1', 'start', T1));
      res.write(eventLine('c2', 'start', T2, 'ffffffffffffffffffffffffffffffff'));
      res.write(eventLine('c1', 'die', T2, MACHINE, { exitCode: '7' }));
      res.write(eventLine('c1', 'health_status: unhealthy', T2 + 1n));
      open.add(res);
    });
    await new Promise<void>((resolve) => server.listen(join(dir, 'engine.sock'), resolve));
  });
  afterAll(async () => {
    for (const res of open) res.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('reconnects after an error and after the stream ends, resuming from the last event without duplicates', async () => {
    const runtime = new DockerRuntime(`unix://${join(dir, 'engine.sock')}`, MACHINE, { reconnectInitialMs: 10 });
    const events: ContainerEvent[] = [];
    const disconnects: (Error | undefined)[] = [];
    let connects = 0;
    const abort = new AbortController();
    const done = runtime.events((e) => events.push(e), abort.signal, {
      onConnected: () => connects++,
      onDisconnected: (error) => disconnects.push(error),
    });
    await eventually(() => events.length === 3, { what: 'three events' });
    abort.abort();
    await done;

    expect(events.map((e) => [e.containerId, e.action, e.exitCode, e.health])).toEqual([
      ['c1', 'start', undefined, undefined],
      ['c1', 'die', 7, undefined],
      ['c1', 'health_status', undefined, 'unhealthy'],
    ]);
    expect(events[0]).toMatchObject({ unit: 'ev.service', hash: 'h', name: 'fleet-ev.service', time: 1_700_000_000_123 });
    expect(connects).toBe(2);
    expect(disconnects).toHaveLength(2);
    expect(disconnects[0]).toMatchObject({ code: 'DOCKER_ERROR', statusCode: 500, dockerMessage: 'events are broken' });
    expect(disconnects[1]).toBeUndefined();

    expect(requests).toHaveLength(3);
    for (const url of requests) {
      expect(JSON.parse(url.searchParams.get('filters') ?? '{}')).toEqual({ type: ['container'], label: [`${CONTAINER_LABELS.machine}=${MACHINE}`] });
    }
    expect(requests[1]!.searchParams.has('since')).toBe(false);
    expect(requests[2]!.searchParams.get('since')).toBe('1700000000.123456789');
  });
});
