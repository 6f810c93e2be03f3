import { describe, expect, it } from '@jest/globals';
import { formatAgo, formatJournalTime, formatSystemdTime } from '../../../packages/cli/src/time-format.js';

describe('systemd-style times (UTC)', () => {
  const at = Date.parse('2026-11-25T10:00:00.000Z');

  it.each([
    [0, '0s ago'],
    [59_999, '59s ago'],
    [60_000, '1min 0s ago'],
    [5 * 60_000 + 7_000, '5min 7s ago'],
    [3_600_000, '1h 0min ago'],
    [2 * 3_600_000 + 3 * 60_000 + 59_000, '2h 3min ago'],
    [86_400_000 + 2 * 3_600_000, '1 day 2h ago'],
    [3 * 86_400_000, '3 days 0h ago'],
    [-5_000, '0s ago'],
  ])('%i ms later reads %s', (elapsed, text) => {
    expect(formatAgo(at, at + elapsed)).toBe(text);
  });

  it('formats systemctl and journalctl times', () => {
    expect(formatSystemdTime(at)).toBe('Wed 2026-11-25 10:00:00 UTC');
    expect(formatJournalTime(Date.parse('2026-01-05T03:04:05.678Z'))).toBe('Jan 05 03:04:05');
  });
});
