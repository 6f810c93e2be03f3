import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  EtcdRegistry,
  Leadership,
  createEtcdClient,
  type EtcdClient,
  type FencingGuard,
  type LeadershipOptions,
} from '@fleet/registry';
import { type EtcdServer, eventually, startEtcd } from '@fleet/testkit';
import { recordingLogger, uniquePrefix } from './support.js';
import { startTcpProxy } from './tcp-proxy.js';

const TTL = 2;

describe('Leadership', () => {
  let etcd: EtcdServer;
  const clients: EtcdClient[] = [];
  const running: Leadership[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await Promise.allSettled(running.map((l) => l.stop()));
    for (const c of clients) c.close();
    await etcd.stop();
  });

  const newClient = (): EtcdClient => {
    const client = createEtcdClient({ endpoints: [etcd.endpoint], callTimeoutMs: 1_000 });
    clients.push(client);
    return client;
  };

  /** Starts a candidate on its own client (as each fleetd has its own). */
  const candidate = (prefix: string, id: string, overrides: Partial<LeadershipOptions> = {}) => {
    const client = overrides.client ?? newClient();
    const changes: boolean[] = [];
    const leadership = new Leadership({
      client,
      prefix,
      candidateId: id,
      ttlSeconds: TTL,
      logger: recordingLogger(),
      recampaignDelayMs: 200,
      ...overrides,
    });
    leadership.onChange((isLeader) => changes.push(isLeader));
    running.push(leadership);
    leadership.start();
    return { leadership, client, changes, id };
  };

  const leaders = <T extends { leadership: Leadership }>(...all: T[]): T[] => all.filter((c) => c.leadership.isLeader());

  it('elects exactly one of two candidates, and the election shows it', async () => {
    const prefix = uniquePrefix('elect');
    const a = candidate(prefix, 'machine-a');
    const b = candidate(prefix, 'machine-b');
    await eventually(() => leaders(a, b).length === 1, { what: 'one leader' });
    const [winner] = leaders(a, b);
    const loser = winner === a ? b : a;
    expect(winner!.changes).toEqual([true]);
    expect(loser.changes).toEqual([]);
    expect(() => loser.leadership.guard()).toThrow(expect.objectContaining({ code: 'NOT_LEADER' }));
    expect(winner!.leadership.guard().key).toMatch(new RegExp(`^${prefix}engine/election/leader/\\d+$`));
    expect(await loser.leadership.currentLeader()).toBe(winner!.id);
    await Promise.all([a.leadership.stop(), b.leadership.stop()]);
  });

  it('hands over at once when the leader resigns', async () => {
    const prefix = uniquePrefix('resign');
    const a = candidate(prefix, 'machine-a');
    await eventually(() => a.leadership.isLeader(), { what: 'a leads' });
    const b = candidate(prefix, 'machine-b');
    // b must be waiting in the election before a resigns.
    await eventually(async () => (await b.client.getAll().prefix(`${prefix}engine/election/`).keys()).length === 2, {
      what: 'b campaigning',
    });
    const resignedAt = Date.now();
    await a.leadership.stop();
    expect(a.leadership.isLeader()).toBe(false);
    expect(a.changes).toEqual([true, false]);
    await eventually(() => b.leadership.isLeader(), { timeoutMs: 1_500, what: 'b leads' });
    expect(Date.now() - resignedAt).toBeLessThan(1_000);
    await b.leadership.stop();
  });

  it('fails over within TTL + margin when the leader is cut off from etcd', async () => {
    const prefix = uniquePrefix('failover');
    const proxy = await startTcpProxy(etcd.endpoint);
    const proxied = createEtcdClient({ endpoints: [proxy.endpoint], callTimeoutMs: 1_000 });
    clients.push(proxied);
    const a = candidate(prefix, 'machine-a', { client: proxied });
    await eventually(() => a.leadership.isLeader(), { what: 'a leads' });
    const b = candidate(prefix, 'machine-b');
    await eventually(async () => (await b.client.getAll().prefix(`${prefix}engine/election/`).keys()).length === 2, {
      what: 'b campaigning',
    });
    const killedAt = Date.now();
    await proxy.cut(); // no resign, no more keepalives: what etcd sees of a SIGKILL
    await eventually(() => b.leadership.isLeader(), { timeoutMs: TTL * 1000 + 2_000, what: 'b leads' });
    expect(Date.now() - killedAt).toBeLessThan(TTL * 1000 + 1_500);
    // a fences itself within its TTL, without etcd3's 2×TTL lease loss.
    await eventually(() => !a.leadership.isLeader(), { timeoutMs: TTL * 1000, what: 'a steps down' });
    expect(a.changes).toEqual([true, false]);
    await Promise.all([a.leadership.stop(), b.leadership.stop()]);
  });

  it('makes a deposed leader’s guarded writes fail, and the leader step down when its key is gone', async () => {
    const prefix = uniquePrefix('fence');
    const client = newClient();
    const registry = new EtcdRegistry({ client, prefix, logger: recordingLogger() });
    const a = candidate(prefix, 'machine-a', { verifyIntervalMs: 200 });
    await eventually(() => a.leadership.isLeader(), { what: 'a leads' });
    const guard: FencingGuard = a.leadership.guard();

    const mark = { kind: 'mark-unschedulable', record: { name: 'x.service', summary: 'none', machines: [] } } as const;
    const snapshot = await registry.snapshot();
    expect((await registry.applyScheduleChanges([mark], guard, snapshot.revision)).outcome).toBe('applied');

    // Someone else takes the key away (as etcd does when the lease expires).
    await client.delete().key(guard.key);
    const result = await registry.applyScheduleChanges([mark], guard, snapshot.revision);
    expect(result).toEqual({ outcome: 'not-leader', applied: 0, landed: [false], revision: snapshot.revision, committed: [] });
    await eventually(() => a.changes.join() === 'true,false', { what: 'a notices and steps down' });

    // ...and campaigns again, winning with a new key: the old guard stays dead.
    await eventually(() => a.leadership.isLeader(), { what: 'a leads again' });
    expect(a.leadership.guard()).not.toEqual(guard);
    expect((await registry.applyScheduleChanges([mark], guard, snapshot.revision)).outcome).toBe('not-leader');
    expect(
      (await registry.applyScheduleChanges([mark], a.leadership.guard(), snapshot.revision)).outcome,
    ).toBe('applied');
    await a.leadership.stop();
  });

  it('survives many leadership rounds without piling up campaigns', async () => {
    const prefix = uniquePrefix('rounds');
    const client = newClient();
    const a = candidate(prefix, 'machine-a', { client, verifyIntervalMs: 100 });
    for (let round = 0; round < 5; round += 1) {
      await eventually(() => a.leadership.isLeader(), { what: `leader in round ${round}` });
      await client.delete().key(a.leadership.guard().key);
      await eventually(() => !a.leadership.isLeader(), { what: `deposed in round ${round}` });
    }
    await eventually(() => a.leadership.isLeader(), { what: 'leader at the end' });
    // Dead campaigns resigned: only the live campaign's key is left.
    expect(await client.getAll().prefix(`${prefix}engine/election/`).keys()).toHaveLength(1);
    expect(a.changes).toEqual([true, false, true, false, true, false, true, false, true, false, true]);
    await a.leadership.stop();
    expect(await client.getAll().prefix(`${prefix}engine/election/`).keys()).toHaveLength(0);
  });
});
