import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import { createEtcdClient } from '@fleet/registry';
import { freePort, startEtcd, type EtcdServer } from '@fleet/testkit';
import { SimulatedCluster, machineRecord } from './support/cluster.js';
import { runCli } from './support/run-cli.js';

describe('fleetctl reaching etcd: endpoints, environment, key prefix, failures', () => {
  let etcd: EtcdServer;
  let cluster: SimulatedCluster;

  beforeAll(async () => {
    etcd = await startEtcd();
    cluster = await SimulatedCluster.start(etcd.endpoint, {
      machines: [machineRecord(1, { metadata: { region: 'us', disk: 'ssd' } }), machineRecord(2, { publicIp: '', metadata: {} })],
      react: false,
    });
  });
  afterAll(async () => {
    await cluster.stop();
    await etcd.stop();
  });

  const [m1, m2] = [() => cluster.machines[0]!, () => cluster.machines[1]!];

  it('lists machines through FLEETCTL_ENDPOINT and FLEETCTL_ETCD_KEY_PREFIX', async () => {
    const rows = [m1(), m2()]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((m) => (m === m1() ? `${m.id.slice(0, 8)}...\t10.0.0.1\tdisk=ssd,region=us\n` : `${m.id.slice(0, 8)}...\t-\t\t-\n`));
    expect(await runCli(['list-machines'], { env: cluster.env() })).toEqual({
      code: 0,
      stdout: `MACHINE\t\tIP\t\tMETADATA\n${rows.join('')}`,
      stderr: '',
    });
    const full = await runCli(['list-machines', '-l', '--no-legend', '--fields', 'machine'], { env: cluster.env() });
    expect(full.stdout).toBe([m1().id, m2().id].sort().map((id) => `${id}\n`).join(''));
  });

  it('prefers --endpoint and --etcd-key-prefix to the environment', async () => {
    const closed = await freePort();
    const env = { FLEETCTL_ENDPOINT: `http://127.0.0.1:${closed}`, FLEETCTL_ETCD_KEY_PREFIX: '/elsewhere/' };
    const result = await runCli(['--endpoint', etcd.endpoint, '--etcd-key-prefix', cluster.prefix, 'list-machines', '--no-legend'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    // Another prefix is another (empty) cluster.
    expect(await runCli(['--endpoint', etcd.endpoint, 'list-machines'], { env })).toEqual({
      code: 0,
      stdout: 'MACHINE\tIP\tMETADATA\n',
      stderr: '',
    });
  });

  it('--debug shows the registry\'s complaints, such as a record it skipped', async () => {
    const client = createEtcdClient({ endpoints: [etcd.endpoint] });
    try {
      await client.put(`${cluster.prefix}units/bad.service`).value('not json');
    } finally {
      client.close();
    }
    const quiet = await runCli(['list-unit-files'], { env: cluster.env() });
    expect(quiet).toEqual({ code: 0, stdout: 'UNIT\tHASH\tDSTATE\tSTATE\tTARGET\n', stderr: '' });
    const loud = await runCli(['--debug', 'list-unit-files'], { env: cluster.env() });
    expect(loud.stdout).toBe(quiet.stdout);
    expect(loud.stderr).toMatch(/^DEBUG warn skipping invalid registry record \{.*"key":"[^"]*units\/bad\.service".*\}\n$/);
    expect((await runCli(['list-unit-files'], { env: { ...cluster.env(), FLEETCTL_DEBUG: 'true' } })).stderr).toBe(loud.stderr);
  });

  it('a comma-separated endpoint list works when one member is down', async () => {
    const closed = await freePort();
    const result = await runCli(['list-machines', '--no-legend'], {
      env: { ...cluster.env(), FLEETCTL_ENDPOINT: `${etcd.endpoint},http://127.0.0.1:${closed}` },
    });
    expect(result.code).toBe(0);
  });

  it('an unreachable etcd gives one line and exit 1, for reads and writes alike', async () => {
    const closed = await freePort();
    const endpoint = `http://127.0.0.1:${closed}`;
    for (const args of [['list-units'], ['list-machines'], ['cat', 'x'], ['stop', 'x'], ['start', 'x']]) {
      const result = await runCli(args, { env: { FLEETCTL_ENDPOINT: endpoint } });
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `Error: cannot reach etcd at ${endpoint}: connect ECONNREFUSED 127.0.0.1:${closed}\n`,
      });
    }
  });

  describe('an etcd that accepts connections but never answers', () => {
    let server: Server;
    const sockets = new Set<Socket>();
    let endpoint: string;

    beforeAll(async () => {
      const port = await freePort();
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${port}`;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('gives up after --request-timeout with one line', async () => {
      const result = await runCli(['--request-timeout=0.5', 'list-unit-files'], { env: { FLEETCTL_ENDPOINT: endpoint } });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`Error: cannot reach etcd at ${endpoint}: no answer within 0.5 s\n`);
    });
  });
});
