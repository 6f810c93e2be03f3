import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isEtcdDown, leaseFenceAt, type EndpointProbe } from '@fleet/registry';

describe('isEtcdDown', () => {
  const table: [readonly EndpointProbe[], boolean, boolean, string][] = [
    [['refused'], false, true, 'the only member refuses: nothing can expire a lease'],
    [['no-leader'], false, true, 'the only member has no leader'],
    [['refused', 'no-leader', 'refused'], false, true, 'no member can lead'],
    [['unreachable'], false, false, 'a partition looks like this'],
    [['silent'], false, false, 'a frozen etcd expires leases when it wakes'],
    [['silent'], true, true, 'a restarting etcd accepts before it serves'],
    [['refused', 'silent'], true, true, 'members coming back after an outage'],
    [['refused', 'silent', 'silent'], false, true, 'the leader died; the others are electing a new one'],
    [['silent', 'silent', 'silent'], false, false, 'every member frozen'],
    [['refused', 'unreachable', 'refused'], false, false, 'the member we cannot reach may lead others'],
    [['refused', 'unreachable'], true, false, 'an unreachable member ends the outage'],
    [['refused', 'serving'], false, false, 'a serving member can renew and expire leases'],
    [['serving'], true, false, 'etcd is back'],
    [[], false, false, 'no evidence at all'],
  ];
  it.each(table)('%j (was down: %s) → %s: %s', (probes, wasDown, expected) => {
    expect(isEtcdDown(probes, wasDown)).toBe(expected);
  });

  it('never claims down while any endpoint is serving or unreachable', () => {
    const probe = fc.constantFrom<EndpointProbe>('serving', 'no-leader', 'refused', 'silent', 'unreachable');
    fc.assert(
      fc.property(fc.array(probe, { maxLength: 5 }), fc.boolean(), (probes, wasDown) => {
        if (probes.some((p) => p === 'serving' || p === 'unreachable')) expect(isEtcdDown(probes, wasDown)).toBe(false);
      }),
    );
  });
});

describe('leaseFenceAt', () => {
  it('is a TTL after the last answered keepalive when etcd was never seen down', () => {
    expect(leaseFenceAt(10_000, 0, 5_000)).toBe(15_000);
  });
  it('moves to a TTL after the last sighting of etcd down', () => {
    expect(leaseFenceAt(10_000, 12_500, 5_000)).toBe(17_500);
  });
  it('an old sighting does not shorten it', () => {
    expect(leaseFenceAt(10_000, 4_000, 5_000)).toBe(15_000);
  });
});
