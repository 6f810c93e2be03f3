import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createRequire } from 'node:module';

/** long as the bundled protobufjs gets it (packages/cli/scripts/long-decimal.cjs). */
interface LongValue {
  toString(radix?: number): string;
}
interface LongClass {
  new (low: number, high: number, unsigned: boolean): LongValue;
  fromString(text: string, unsigned: boolean, radix?: number): LongValue;
}
const Long = createRequire(import.meta.url)('../../../../packages/cli/scripts/long-decimal.cjs') as LongClass;

/** The definition: the 64 bits read as two's complement (or unsigned), in decimal. */
function decimal(low: number, high: number, unsigned: boolean): string {
  const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  return (unsigned ? bits : BigInt.asIntN(64, bits)).toString();
}

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
/** High words around the ±2^53 fast-path bounds as often as anywhere else. */
const high = fc.oneof(int32, fc.integer({ min: -(2 ** 21) - 2, max: 2 ** 21 + 1 }));

describe('long-decimal (the bundle’s long)', () => {
  it('prints every 64-bit value, signed or not, as its decimal digits', () => {
    fc.assert(
      fc.property(int32, high, fc.boolean(), (low, high, unsigned) => {
        expect(new Long(low, high, unsigned).toString()).toBe(decimal(low, high, unsigned));
        expect(new Long(low, high, unsigned).toString(10)).toBe(decimal(low, high, unsigned));
      }),
      { numRuns: 5000 },
    );
  });

  it('is exact at the edges of the double fast path and of the 64-bit range', () => {
    const edges = ['0', '1', '-1', '9007199254740991', '9007199254740992', '9007199254740993', '-9007199254740992', '-9007199254740993', '9223372036854775807', '-9223372036854775808', '7587869186034325386'];
    for (const text of edges) expect(Long.fromString(text, false).toString()).toBe(text);
    for (const text of ['0', '9007199254740993', '18446744073709551615']) expect(Long.fromString(text, true).toString()).toBe(text);
  });

  it('leaves other radixes to long', () => {
    expect(Long.fromString('-255', false).toString(16)).toBe('-ff');
    expect(Long.fromString('18446744073709551615', true).toString(2)).toBe('1'.repeat(64));
  });
});
