import { describe, expect, it } from '@jest/globals';
import { containersToFence } from '@fleet/agent';

describe('containersToFence', () => {
  const c = (id: string, unit: string, running = true) => ({ id, unit, running });

  it('stops every running non-global container, in unit order', () => {
    const victims = containersToFence([c('2', 'web.service'), c('1', 'api.service'), c('3', 'log.service')], new Set(['log.service']));
    expect(victims.map((v) => v.unit)).toEqual(['api.service', 'web.service']);
  });

  it('leaves Global units and containers that are not running alone', () => {
    expect(containersToFence([c('1', 'global.service'), c('2', 'done.service', false)], new Set(['global.service']))).toEqual([]);
  });

  it('also stops containers of units it no longer knows (orphans may run elsewhere too)', () => {
    expect(containersToFence([c('9', 'orphan.service')], new Set()).map((v) => v.id)).toEqual(['9']);
  });

  it('orders duplicates of one unit by container id', () => {
    expect(containersToFence([c('b', 'x.service'), c('a', 'x.service')], new Set()).map((v) => v.id)).toEqual(['a', 'b']);
  });
});
