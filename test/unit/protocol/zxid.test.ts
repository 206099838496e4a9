// zxid = epoch << 32 | counter as a signed 64-bit value (protocol.md §12.1, §15.33).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COUNTER_MASK, counterOf, epochOf, makeZxid, toHexString } from '../../../protocol/zxid.js';
import { int64, LONG_MAX, LONG_MIN } from './support.js';

describe('makeZxid / epochOf / counterOf', () => {
  it.each([
    [0, 0, 0n],
    [0, 1, 1n],
    [1, 0, 0x100000000n],
    [1, 2, 0x100000002n],
    [5, 0xffffffff, 0x5ffffffffn],
    [0x7fffffff, 0xffffffff, LONG_MAX],
    [0x80000000, 0, LONG_MIN],
    [0xffffffff, 0xffffffff, -1n],
    [0xffffffff, 0, -0x100000000n],
  ])('epoch %i, counter %i -> %s', (epoch, counter, zxid) => {
    expect(makeZxid(epoch, counter)).toBe(zxid);
    expect(makeZxid(BigInt(epoch), BigInt(counter))).toBe(zxid);
    expect(epochOf(zxid)).toBe(BigInt(epoch));
    expect(counterOf(zxid)).toBe(BigInt(counter));
  });

  it('the epoch of a negative zxid is the unsigned high word', () => {
    expect(epochOf(-1n)).toBe(0xffffffffn);
    expect(epochOf(LONG_MIN)).toBe(0x80000000n);
    expect(counterOf(LONG_MIN)).toBe(0n);
    expect(counterOf(-2n)).toBe(0xfffffffen);
  });

  it('the counter is masked to 32 bits', () => {
    expect(makeZxid(1, 0x100000005n)).toBe(0x100000005n);
    expect(makeZxid(1, -1)).toBe(0x1ffffffffn);
    expect(COUNTER_MASK).toBe(0xffffffffn);
  });

  it('a new epoch starts at counter 0', () => {
    expect(makeZxid(3, 0)).toBe(3n << 32n);
    expect(counterOf(makeZxid(3, 0))).toBe(0n);
  });

  it('decomposition is exact for every signed 64-bit value', () => {
    fc.assert(fc.property(int64(), (z) => {
      const e = epochOf(z);
      const c = counterOf(z);
      expect(e >= 0n && e <= 0xffffffffn).toBe(true);
      expect(c >= 0n && c <= 0xffffffffn).toBe(true);
      expect(makeZxid(e, c)).toBe(z);
    }), { numRuns: 300 });
  });

  it('zxids of one epoch order by counter, and later epochs order after (non-negative range)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 0x7ffffffe }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }),
      (epoch, c1, c2) => {
        expect(makeZxid(epoch, c1) < makeZxid(epoch, c2)).toBe(c1 < c2);
        expect(makeZxid(epoch, c1) < makeZxid(epoch + 1, c2)).toBe(true);
      },
    ), { numRuns: 200 });
  });
});

describe('toHexString (Java Long.toHexString)', () => {
  it.each([
    [0n, '0'],
    [1n, '1'],
    [0x100000000n, '100000000'],
    [0xabcdefn, 'abcdef'],
    [-1n, 'ffffffffffffffff'],
    [LONG_MIN, '8000000000000000'],
    [LONG_MAX, '7fffffffffffffff'],
    [-0x100000000n, 'ffffffff00000000'],
    [-0x7f00000000000000n, '8100000000000000'],
  ])('%s -> %s', (v, s) => {
    expect(toHexString(v)).toBe(s);
  });

  it('parses back to the same signed value', () => {
    fc.assert(fc.property(int64(), (v) => {
      const s = toHexString(v);
      expect(s).toMatch(/^(0|[1-9a-f][0-9a-f]{0,15})$/);
      expect(BigInt.asIntN(64, BigInt('0x' + s))).toBe(v);
    }), { numRuns: 300 });
  });
});
