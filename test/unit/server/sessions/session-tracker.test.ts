// SessionTracker: id layout (§1.6) and tick-bucket expiry (§1.8), with time as an input.

import { describe, expect, it } from 'vitest';
import { initialSessionId, SessionTracker } from '../../../../server/sessions/session-tracker.js';

const TICK = 2000;

describe('initialSessionId (§1.6)', () => {
  it('puts the server id in the top byte and the low 40 bits of the clock in bits 55..16', () => {
    expect(initialSessionId(1, 0x123456789a)).toBe(0x01123456789a0000n);
    // clock bits above 40 are dropped
    expect(initialSessionId(1, 0x1ff00000001)).toBe(0x01ff000000010000n);
    expect(initialSessionId(7, 0)).toBe(0x0700000000000000n);
  });

  it('myid >= 128 gives negative ids', () => {
    const id = initialSessionId(200, 0x10);
    expect(id < 0n).toBe(true);
    expect(BigInt.asUintN(64, id) >> 56n).toBe(200n);
    expect(BigInt.asUintN(64, id) & 0xffffn).toBe(0n);
    expect((BigInt.asUintN(64, id) >> 16n) & 0xffffffffffn).toBe(0x10n);
  });

  it('never returns the container marker Long.MIN_VALUE', () => {
    expect(initialSessionId(128, 0)).toBe(-(2n ** 63n) + 1n);
  });

  it('truncates a fractional clock', () => {
    expect(initialSessionId(1, 5.9)).toBe(initialSessionId(1, 5));
  });
});

describe('SessionTracker ids', () => {
  it('hands out consecutive ids starting at the initial id', () => {
    const t = new SessionTracker(TICK, 1, 0x2a);
    const first = t.nextSessionId();
    expect(first).toBe(initialSessionId(1, 0x2a));
    expect(t.nextSessionId()).toBe(first + 1n);
    expect(t.nextSessionId()).toBe(first + 2n);
  });

  it('ids stay signed 64-bit: past 0x7fffffffffffffff they wrap, skipping the container marker', () => {
    const t = new SessionTracker(TICK, 127, 0xffffffffff); // first id 0x7fffffffffff0000
    for (let i = 0; i < 0xffff; i++) t.nextSessionId();
    expect(t.nextSessionId()).toBe(2n ** 63n - 1n);
    // 0x8000000000000000 is Long.MIN_VALUE, the container marker: never a session id
    expect(t.nextSessionId()).toBe(-(2n ** 63n) + 1n);
    expect(t.nextSessionId()).toBe(-(2n ** 63n) + 2n);
  });
});

describe('SessionTracker expiry buckets (§1.8)', () => {
  it('a session lands in bucket (floor((now + timeout) / tick) + 1) * tick', () => {
    const t = new SessionTracker(TICK, 1, 1_000_000);
    const s = t.add(1n, 4000, 1_000_000);
    expect(s.expiresAtMs).toBe(1_006_000);
    const u = t.add(2n, 4000, 1_000_001);
    expect(u.expiresAtMs).toBe(1_006_000);
    const v = t.add(3n, 4000, 1_002_000);
    expect(v.expiresAtMs).toBe(1_008_000);
    expect(t.bucketsByTime().map(([time, ss]) => [time, ss.map((x) => x.id).sort()])).toEqual([
      [1_006_000, [1n, 2n]], [1_008_000, [3n]],
    ]);
  });

  it('expires nothing before the bucket time and everything in it at the bucket time', () => {
    const t = new SessionTracker(TICK, 1, 1_000_000);
    t.add(1n, 4000, 1_000_000);
    expect(t.expire(1_005_999)).toEqual([]);
    const out = t.expire(1_006_000);
    expect(out.map((s) => s.id)).toEqual([1n]);
    expect(out[0]!.closing).toBe(true);
    // returned once only
    expect(t.expire(1_010_000)).toEqual([]);
    // still known (until the closeSession txn removes it) but closing
    expect(t.get(1n)!.closing).toBe(true);
  });

  it('touch moves the session to a later bucket', () => {
    const t = new SessionTracker(TICK, 1, 1_000_000);
    t.add(1n, 4000, 1_000_000);
    expect(t.touch(1n, 1_005_000)).toBe(true);
    expect(t.get(1n)!.expiresAtMs).toBe(1_010_000);
    expect(t.expire(1_006_000)).toEqual([]);
    expect(t.expire(1_009_999)).toEqual([]);
    expect(t.expire(1_010_000).map((s) => s.id)).toEqual([1n]);
  });

  it('catches up over many missed ticks in one call', () => {
    const t = new SessionTracker(TICK, 1, 0);
    t.add(1n, 4000, 0);
    t.add(2n, 40000, 0);
    expect(t.expire(1_000_000).map((s) => s.id).sort()).toEqual([1n, 2n]);
  });

  it('touch is refused for unknown and closing sessions', () => {
    const t = new SessionTracker(TICK, 1, 0);
    expect(t.touch(9n, 0)).toBe(false);
    t.add(1n, 4000, 0);
    t.setClosing(1n);
    expect(t.touch(1n, 1000)).toBe(false);
    // a closing session is not returned by expire either
    expect(t.expire(100_000)).toEqual([]);
  });

  it('remove forgets the session and its bucket entry', () => {
    const t = new SessionTracker(TICK, 1, 0);
    t.add(1n, 4000, 0);
    t.add(2n, 4000, 0);
    t.remove(1n);
    t.remove(42n); // unknown: no-op
    expect(t.get(1n)).toBeUndefined();
    expect(t.size).toBe(1);
    expect([...t.all()].map((s) => s.id)).toEqual([2n]);
    expect(t.expire(6000).map((s) => s.id)).toEqual([2n]);
  });

  it('add on an existing id updates its timeout and re-buckets it', () => {
    const t = new SessionTracker(TICK, 1, 0);
    t.add(1n, 4000, 0);
    const s = t.add(1n, 10000, 0);
    expect(s.timeoutMs).toBe(10000);
    expect(s.expiresAtMs).toBe(12000);
    expect(t.size).toBe(1);
    expect(t.expire(6000)).toEqual([]);
    expect(t.bucketsByTime()).toEqual([[12000, [s]]]);
  });
});
