import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseByteSize, parseFiniteTimeSpanMs, parseNanoCpus, parseTimeSpanMs } from '@fleet/core';

describe('parseTimeSpanMs', () => {
  it.each<[string, number]>([
    ['30', 30_000],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1min 30s', 90_000],
    ['1min 30', 90_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1500us', 2],
    ['3000000ns', 3],
    ['0', 0],
    [' 5 sec ', 5000],
    ['2 minutes', 120_000],
    ['infinity', Number.POSITIVE_INFINITY],
  ])('%j → %d ms', (text, ms) => {
    expect(parseTimeSpanMs(text)).toEqual({ ok: true, value: ms });
  });

  it.each(['', 'abc', '5x', '-1s', '1s-', 's', '1.2.3s', '1 2'])('refuses %j', (text) => {
    expect(parseTimeSpanMs(text)).toEqual({ ok: false, error: `invalid duration "${text}"` });
  });

  it('parseFiniteTimeSpanMs refuses infinity', () => {
    expect(parseFiniteTimeSpanMs('infinity')).toEqual({
      ok: false,
      error: 'duration must be finite, got "infinity"',
    });
    expect(parseFiniteTimeSpanMs('2s')).toEqual({ ok: true, value: 2000 });
  });
});

describe('parseByteSize', () => {
  it.each<[string, number]>([
    ['100', 100],
    ['100b', 100],
    ['1k', 1024],
    ['1K', 1024],
    ['1kb', 1024],
    ['1.5k', 1536],
    ['512m', 536_870_912],
    ['512M', 536_870_912],
    ['1g', 1_073_741_824],
    ['1GiB', 1_073_741_824],
    ['2 g', 2_147_483_648],
    ['1t', 1024 ** 4],
  ])('%j → %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toEqual({ ok: true, value: bytes });
  });

  it.each<[string, string]>([
    ['12x', 'invalid size "12x" (bytes, or a number with a k, m or g suffix)'],
    ['', 'invalid size "" (bytes, or a number with a k, m or g suffix)'],
    ['-1m', 'invalid size "-1m" (bytes, or a number with a k, m or g suffix)'],
    ['0', 'size must be positive, got "0"'],
    ['0.5b', 'size must be positive, got "0.5b"'],
  ])('refuses %j', (text, error) => {
    expect(parseByteSize(text)).toEqual({ ok: false, error });
  });
});

describe('parseNanoCpus', () => {
  it.each<[string, number]>([
    ['1', 1_000_000_000],
    ['1.5', 1_500_000_000],
    ['0.25', 250_000_000],
    ['.5', 500_000_000],
    ['2.', 2_000_000_000],
    ['0.000000001', 1],
    ['0.1', 100_000_000],
  ])('%j → %d', (text, nano) => {
    expect(parseNanoCpus(text)).toEqual({ ok: true, value: nano });
  });

  it.each<[string, string]>([
    ['abc', 'invalid number of CPUs "abc"'],
    ['-1', 'invalid number of CPUs "-1"'],
    ['0', 'number of CPUs must be positive, got "0"'],
    ['0.0000000001', 'number of CPUs "0.0000000001" is too precise (at most 9 decimals)'],
  ])('refuses %j', (text, error) => {
    expect(parseNanoCpus(text)).toEqual({ ok: false, error });
  });

  it('is exact for every value with up to 9 decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 1, max: 999_999_999 }), (whole, nanos) => {
        const text = `${whole}.${String(nanos).padStart(9, '0')}`;
        expect(parseNanoCpus(text)).toEqual({ ok: true, value: whole * 1e9 + nanos });
      }),
    );
  });
});
