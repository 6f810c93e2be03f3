import { describe, expect, it } from '@jest/globals';
import type { MachineInfo } from '@fleet/core';
import {
  formatMachineIdLegend,
  formatMachineLegend,
  indexMachines,
} from '../../../../packages/cli/src/format/index.js';

const ID = '2f1c7e5a9b3d4c6e8f0a1b2c3d4e5f60';
const NO_IP = 'd3e2f1a0b9c84d7e6f5a4b3c2d1e0f9a';
const machines = indexMachines([
  { id: ID, publicIp: '172.17.8.101', metadata: {}, version: '1.0.0' },
  { id: NO_IP, publicIp: '', metadata: {}, version: '1.0.0' },
] satisfies MachineInfo[]);

describe('formatMachineIdLegend', () => {
  it.each<[string | undefined, boolean, string]>([
    [ID, false, '2f1c7e5a...'],
    [ID, true, ID],
    ['abc', false, 'abc...'], // fleet ellipsizes even IDs shorter than 8
    ['', false, '-'],
    ['', true, '-'],
    [undefined, false, '-'],
  ])('%j full=%j → %s', (id, full, legend) => {
    expect(formatMachineIdLegend(id, full)).toBe(legend);
  });
});

describe('formatMachineLegend', () => {
  it.each<[string | undefined, boolean, string]>([
    [ID, false, '2f1c7e5a.../172.17.8.101'],
    [ID, true, `${ID}/172.17.8.101`],
    [NO_IP, false, 'd3e2f1a0...'],
    ['5c99a0871b2c4d3e8f9a0b1c2d3e4f5a', false, '5c99a087...'], // no longer registered
    ['5c99a0871b2c4d3e8f9a0b1c2d3e4f5a', true, '5c99a0871b2c4d3e8f9a0b1c2d3e4f5a'],
    ['', false, '-'],
    [undefined, true, '-'],
  ])('%j full=%j → %s', (id, full, legend) => {
    expect(formatMachineLegend(id, machines, full)).toBe(legend);
  });
});
