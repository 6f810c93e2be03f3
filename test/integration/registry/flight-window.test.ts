import { describe, expect, it } from '@jest/globals';
import { FlightWindow } from '../../../packages/registry/src/flight-window.js';

describe('FlightWindow', () => {
  it('grows by one per answer within the target, up to its maximum', () => {
    const window = new FlightWindow(10, 500, 4);
    for (let i = 0; i < 3; i++) window.answered(window.sent(), 100);
    expect(window.size()).toBe(7);
    for (let i = 0; i < 10; i++) window.answered(window.sent(), 100);
    expect(window.size()).toBe(10);
  });

  it('halves on a slow answer, once for all the txns that were in flight together', () => {
    const window = new FlightWindow(32, 500, 16);
    const burst = Array.from({ length: 16 }, () => window.sent());
    for (const sequence of burst) window.answered(sequence, 900);
    expect(window.size()).toBe(8);
    // A txn sent after the cut that is slow too cuts again.
    window.answered(window.sent(), 900);
    expect(window.size()).toBe(4);
    for (let i = 0; i < 5; i++) window.answered(window.sent(), 900);
    expect(window.size()).toBe(1);
  });
});
