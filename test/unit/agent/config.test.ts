import { describe, expect, it } from '@jest/globals';
import { parseDurationMs, parseMetadata, resolveConfig } from '../../../packages/agent/src/config.js';

describe('parseDurationMs', () => {
  it.each([
    ['5s', 5000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['2', 2000],
    ['0.5', 500],
    ['1h', 3_600_000],
    ['', null],
    ['5 s', null],
    ['five', null],
    ['5x', null],
  ])('%s → %s', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });
});

describe('parseMetadata', () => {
  it.each([
    ['', {}],
    ['region=us-west', { region: 'us-west' }],
    [' a = 1 , b=2 ', { a: '1', b: '2' }],
    ['a=1,a=2', { a: '2' }],
    ['"a=1,b=2"', { a: '1', b: '2' }],
    ['a=b=c', { a: 'b=c' }],
    ['novalue', null],
    ['a=', null],
    ['=b', null],
  ])('%s', (text, expected) => {
    expect(parseMetadata(text)).toEqual(expected);
  });
});

describe('resolveConfig', () => {
  const env = {};
  it('applies defaults', () => {
    const r = resolveConfig({ argv: [], env });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.etcd_servers).toEqual(['http://127.0.0.1:2379']);
    expect(r.config.etcd_key_prefix).toBe('/_coreos.com/fleet/');
    expect(r.config.agent_ttl).toBe(5000);
    expect(r.config.engine_reconcile_interval).toBe(2000);
    expect(r.config.disable_engine).toBe(false);
    expect(r.config.docker_endpoint).toBe('unix:///var/run/docker.sock');
    expect(r.config.keepUnits).toBe(false);
  });

  it('takes flags over env over file over defaults', () => {
    const r = resolveConfig({
      argv: ['--agent-ttl', '9s', '--metadata=role=web'],
      env: { FLEET_AGENT_TTL: '8s', FLEET_VERBOSITY: '2', DOCKER_HOST: 'unix:///env.sock' },
      fileText: 'agent_ttl=7s\nverbosity=1\npublic_ip=10.0.0.2\n# comment\netcd_servers="http://a:1,http://b:2"\n',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.agent_ttl).toBe(9000);
    expect(r.config.verbosity).toBe(2);
    expect(r.config.public_ip).toBe('10.0.0.2');
    expect(r.config.metadata).toEqual({ role: 'web' });
    expect(r.config.etcd_servers).toEqual(['http://a:1', 'http://b:2']);
    expect(r.config.docker_endpoint).toBe('unix:///env.sock');
  });

  it('lets an explicit docker_endpoint win over DOCKER_HOST', () => {
    const r = resolveConfig({ argv: ['--docker-endpoint', 'unix:///mine.sock'], env: { DOCKER_HOST: 'unix:///env.sock' } });
    expect(r.ok && r.config.docker_endpoint).toBe('unix:///mine.sock');
  });

  it('accepts fleet list syntax and boolean flags', () => {
    const r = resolveConfig({ argv: ['--disable-engine', '--keep-units'], env: { FLEET_ETCD_SERVERS: '["http://x:1","http://y:2"]' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.disable_engine).toBe(true);
    expect(r.config.keepUnits).toBe(true);
    expect(r.config.etcd_servers).toEqual(['http://x:1', 'http://y:2']);
  });

  it('names every bad field in one result', () => {
    const r = resolveConfig({
      argv: ['--agent-ttl', 'soon', '--bogus', 'x'],
      env: { FLEET_MACHINE_ID: 'xyz', FLEET_METADATA: 'oops' },
      fileText: 'verbosity=loud\nnot a line\nmystery=1\n',
      fileName: '/etc/fleet/fleet.conf',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        'unknown flag --bogus',
        'config file line 2: expected key=value, got "not a line"',
        '/etc/fleet/fleet.conf: unknown key "mystery"',
        'agent_ttl: expected a duration such as 5s or 500ms, got "soon"',
        'verbosity: must be a whole number',
        'machine_id: must be 32 hexadecimal characters',
        'metadata: expected k=v,k2=v2, got "oops"',
      ]),
    );
    expect(r.errors).toHaveLength(7);
  });

  it('refuses an agent_ttl below one second', () => {
    const r = resolveConfig({ argv: ['--agent-ttl=200ms'], env });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(['agent_ttl: agent_ttl must be at least 1000 ms, got "200ms"']);
  });
});
