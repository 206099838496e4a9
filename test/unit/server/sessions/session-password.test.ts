// Session passwords: Java's Random(sessionId ^ 0xB3415C00).nextBytes(16) (protocol.md §1.5).

import { describe, expect, it } from 'vitest';
import { sessionPassword } from '../../../../server/sessions/session-password.js';

describe('sessionPassword (§1.5 JVM vectors)', () => {
  it.each([
    [0x0100000000000000n, 'f22acd4a97e69d6d20a49bb638eadb38'],
    [0x1000001a2b3c0000n, '065cdb381bc43020548dd85f5ced3f15'],
    [0x0100a1b2c3d40001n, 'e12af4ede3bda1b751e79ed29874e2df'],
  ])('0x%s', (id, hex) => {
    expect(sessionPassword(id).toString('hex')).toBe(hex);
  });

  it('is 16 bytes, deterministic, and differs between ids', () => {
    const a = sessionPassword(0x0100000000000001n);
    expect(a).toHaveLength(16);
    expect(sessionPassword(0x0100000000000001n)).toEqual(a);
    expect(sessionPassword(0x0100000000000002n)).not.toEqual(a);
  });

  it('accepts negative session ids (myid >= 128) as their 64-bit two\'s complement', () => {
    const negative = -0x7f00000000000000n; // 0x8100000000000000
    expect(sessionPassword(negative)).toEqual(sessionPassword(BigInt.asIntN(64, 0x8100000000000000n)));
    expect(sessionPassword(negative)).toHaveLength(16);
    // Only the low 48 bits of the scrambled seed matter (java.util.Random), so ids that differ
    // only above bit 47 share a password — a property of Java's algorithm worth pinning.
    expect(sessionPassword(0x0100000000000000n)).toEqual(sessionPassword(0x0200000000000000n));
  });
});
