// Jute primitives (protocol.md §0): reader, writer and the schema combinators built on them.

import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JuteReader } from '../../../protocol/jute/reader.js';
import { ustringNullAsEmpty } from '../../../protocol/jute/schema.js';
import { JuteWriter } from '../../../protocol/jute/writer.js';
import { JuteDecodeError } from '../../../protocol/jute/errors.js';
import {
  bool, buffer, decodeFromBuffer, empty, encodeToBuffer, int, long, nullableUstring, record, ustring, vector,
} from '../../../protocol/jute/schema.js';
import { hex, int32, int64, LONG_MAX, LONG_MIN, toHex } from './support.js';

const reader = (h: string) => new JuteReader(hex(h));
const written = (fn: (w: JuteWriter) => unknown) => {
  const w = new JuteWriter();
  fn(w);
  return toHex(w.bytes());
};

describe('jute int (4 bytes, big-endian, signed)', () => {
  const cases: [number, string][] = [
    [0, '00000000'],
    [1, '00000001'],
    [0x0a0b0c0d, '0a0b0c0d'],
    [-1, 'ffffffff'],
    [-2, 'fffffffe'],
    [-101, 'ffffff9b'],
    [2147483647, '7fffffff'],
    [-2147483648, '80000000'],
  ];
  it.each(cases)('%i <-> %s', (value, bytes) => {
    expect(written((w) => w.int(value))).toBe(bytes);
    expect(reader(bytes).int()).toBe(value);
  });

  it('round-trips every int32', () => {
    fc.assert(fc.property(int32(), (v) => {
      expect(reader(written((w) => w.int(v))).int()).toBe(v);
    }), { numRuns: 300 });
  });
});

describe('jute long (8 bytes, big-endian, signed, bigint)', () => {
  const cases: [bigint, string][] = [
    [0n, '0000000000000000'],
    [1n, '0000000000000001'],
    [-1n, 'ffffffffffffffff'],
    [0x0102030405060708n, '0102030405060708'],
    [LONG_MAX, '7fffffffffffffff'],
    [LONG_MIN, '8000000000000000'],
    [-0x1000000000000n, 'ffff000000000000'],
  ];
  it.each(cases)('%s <-> %s', (value, bytes) => {
    expect(written((w) => w.long(value))).toBe(bytes);
    const v = reader(bytes).long();
    expect(typeof v).toBe('bigint');
    expect(v).toBe(value);
  });

  it('wraps a value outside int64 to its low 64 bits, as BigInt.asIntN(64, v)', () => {
    expect(written((w) => w.long(0xffffffffffffffffn))).toBe('ffffffffffffffff');
    expect(written((w) => w.long(1n << 64n | 5n))).toBe('0000000000000005');
  });

  it('round-trips every int64, beyond 2^53', () => {
    fc.assert(fc.property(int64(), (v) => {
      expect(reader(written((w) => w.long(v))).long()).toBe(v);
    }), { numRuns: 300 });
  });
});

describe('jute boolean and byte', () => {
  it('writes 0x00 / 0x01', () => {
    expect(written((w) => w.bool(false))).toBe('00');
    expect(written((w) => w.bool(true))).toBe('01');
  });

  it.each(['01', '02', '7f', '80', 'ff'])('reads any non-zero byte (%s) as true', (b) => {
    expect(reader(b).bool()).toBe(true);
  });

  it('reads 0x00 as false', () => {
    expect(reader('00').bool()).toBe(false);
  });

  it('byte is raw and signed', () => {
    expect(written((w) => w.byte(-1))).toBe('ff');
    expect(written((w) => w.byte(0x42))).toBe('42');
    expect(reader('ff').byte()).toBe(-1);
    expect(reader('80').byte()).toBe(-128);
    expect(reader('7f').byte()).toBe(127);
  });
});

describe('jute buffer', () => {
  it('null is length -1, empty is length 0, and they stay distinct', () => {
    expect(written((w) => w.buffer(null))).toBe('ffffffff');
    expect(written((w) => w.buffer(Buffer.alloc(0)))).toBe('00000000');
    expect(reader('ffffffff').buffer()).toBeNull();
    const e = reader('00000000').buffer();
    expect(e).not.toBeNull();
    expect(e!.length).toBe(0);
  });

  it('data is length-prefixed', () => {
    expect(written((w) => w.buffer(Buffer.from('hi')))).toBe('000000026869');
    expect(written((w) => w.buffer(new Uint8Array([0, 255, 1])))).toBe('0000000300ff01');
    expect(toHex(reader('000000026869').buffer()!)).toBe('6869');
  });

  it('returns a copy that does not change when the source buffer is reused', () => {
    const src = hex('00000003 616263');
    const out = new JuteReader(src).buffer()!;
    src.fill(0);
    expect(out.toString()).toBe('abc');
  });

  it('round-trips arbitrary bytes and null', () => {
    fc.assert(fc.property(fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }), (v) => {
      const r = reader(written((w) => w.buffer(v)));
      const out = r.buffer();
      if (v === null) expect(out).toBeNull();
      else expect(toHex(out!)).toBe(toHex(v));
      expect(r.remaining).toBe(0);
    }), { numRuns: 200 });
  });
});

describe('jute ustring', () => {
  it('null is -1; "" is length 0 and decodes as "" (not null, unlike kazoo)', () => {
    expect(written((w) => w.ustring(null))).toBe('ffffffff');
    expect(written((w) => w.ustring(''))).toBe('00000000');
    expect(reader('ffffffff').ustringOrNull()).toBeNull();
    expect(reader('00000000').ustringOrNull()).toBe('');
    expect(encodeToBuffer(ustring, '').toString('hex')).toBe('00000000');
    expect(decodeFromBuffer(ustring, hex('00000000'))).toBe('');
    expect(decodeFromBuffer(nullableUstring, hex('00000000'))).toBe('');
    expect(decodeFromBuffer(nullableUstring, hex('ffffffff'))).toBeNull();
  });

  it('a non-nullable ustring refuses a null on the wire', () => {
    expect(() => decodeFromBuffer(ustring, hex('ffffffff'))).toThrow(JuteDecodeError);
  });

  const utf8: [string, string][] = [
    ['/a', '00000002 2f61'],
    ['é', '00000002 c3a9'],
    ['/€', '00000004 2f e282ac'],
    ['日本', '00000006 e697a5 e69cac'],
  ];
  it.each(utf8)('%s is UTF-8 with a byte-count prefix', (s, bytes) => {
    expect(written((w) => w.ustring(s))).toBe(toHex(hex(bytes)));
    expect(reader(bytes).ustringOrNull()).toBe(s);
  });

  it('the length prefix counts bytes, not UTF-16 units', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      const buf = hex(written((w) => w.ustring(s)));
      expect(buf.readInt32BE(0)).toBe(buf.length - 4);
      expect(buf.readInt32BE(0)).toBe(new TextEncoder().encode(s).length);
      expect(new JuteReader(buf).ustringOrNull()).toBe(s);
    }), { numRuns: 300 });
  });

  it('malformed UTF-8 decodes (with replacement characters) instead of throwing', () => {
    expect(reader('00000002 c328').ustringOrNull()).toBe('\ufffd(');
  });
});

describe('jute vector', () => {
  const ints = vector(int);
  const strings = vector(ustring);

  it('encodes a count followed by the elements back to back', () => {
    expect(encodeToBuffer(ints, [1, -1]).toString('hex')).toBe('00000002' + '00000001' + 'ffffffff');
    expect(encodeToBuffer(strings, ['a', '']).toString('hex')).toBe('00000002' + '0000000161' + '00000000');
  });

  it('an empty vector is count 0 (never written as null)', () => {
    expect(encodeToBuffer(ints, []).toString('hex')).toBe('00000000');
    expect(decodeFromBuffer(ints, hex('00000000'))).toEqual([]);
  });

  it('a null vector (-1) decodes as empty', () => {
    expect(decodeFromBuffer(strings, hex('ffffffff'))).toEqual([]);
  });

  it('refuses negative counts other than -1', () => {
    for (const h of ['fffffffe', '80000000']) {
      expect(() => decodeFromBuffer(ints, hex(h))).toThrow(JuteDecodeError);
    }
  });

  it('refuses a count larger than the bytes left, before decoding elements', () => {
    const r = reader('7fffffff 00000001');
    expect(() => r.count('vector')).toThrow(JuteDecodeError);
    expect(() => decodeFromBuffer(ints, hex('7fffffff 00000001'))).toThrow(JuteDecodeError);
    // a count equal to the remaining bytes is acceptable to the pre-check
    expect(reader('00000002 0000').count('vector')).toBe(2);
  });

  it('round-trips', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 8 }), { maxLength: 10 }), (v) => {
      expect(decodeFromBuffer(strings, encodeToBuffer(strings, v))).toEqual(v);
    }), { numRuns: 200 });
  });
});

describe('jute reader bounds', () => {
  afterEach(() => vi.restoreAllMocks());

  const truncated: [string, (r: JuteReader) => unknown, string][] = [
    ['int', (r) => r.int(), '000000'],
    ['int (empty)', (r) => r.int(), ''],
    ['long', (r) => r.long(), '00000000000000'],
    ['bool', (r) => r.bool(), ''],
    ['byte', (r) => r.byte(), ''],
    ['buffer length', (r) => r.buffer(), '000000'],
    ['buffer body', (r) => r.buffer(), '00000003 6162'],
    ['ustring length', (r) => r.ustringOrNull(), '00'],
    ['ustring body', (r) => r.ustringOrNull(), '00000005 2f61'],
    ['vector count', (r) => r.count('vector'), '0000'],
  ];
  it.each(truncated)('truncated %s raises JuteDecodeError', (_name, read, bytes) => {
    expect(() => read(reader(bytes))).toThrow(JuteDecodeError);
  });

  it.each(['fffffffe', '80000000', 'ffffff00'])('negative length %s (not -1) raises', (len) => {
    expect(() => reader(len + '00000000').buffer()).toThrow(JuteDecodeError);
    expect(() => reader(len + '00000000').ustringOrNull()).toThrow(JuteDecodeError);
  });

  it('a huge length raises before anything is allocated', () => {
    const [a, b, c] = [reader('7fffffff 0102'), reader('7fffffff 0102'), reader('000fffff 0102')];
    const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    const alloc = vi.spyOn(Buffer, 'alloc');
    expect(() => a.buffer()).toThrow(JuteDecodeError);
    expect(() => b.ustringOrNull()).toThrow(JuteDecodeError);
    expect(() => c.buffer()).toThrow(JuteDecodeError);
    expect(allocUnsafe).not.toHaveBeenCalled();
    expect(alloc).not.toHaveBeenCalled();
  });

  it('respects the end of its window, not of the underlying buffer', () => {
    const buf = hex('ffff 00000007 00000008 ffff');
    const r = new JuteReader(buf, 2, 6);
    expect(r.remaining).toBe(4);
    expect(r.int()).toBe(7);
    expect(r.remaining).toBe(0);
    expect(() => r.int()).toThrow(JuteDecodeError);
    expect(() => new JuteReader(buf, 2, 8).buffer()).toThrow(JuteDecodeError);
  });

  it('tracks its position', () => {
    const r = reader('00000001 0000000000000002 01');
    expect(r.position).toBe(0);
    r.int();
    expect(r.position).toBe(4);
    r.long();
    expect(r.position).toBe(12);
    r.bool();
    expect(r.remaining).toBe(0);
  });

  it('JuteDecodeError is an Error with its own name', () => {
    try {
      reader('00').int();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect(e).toBeInstanceOf(JuteDecodeError);
      expect((e as Error).name).toBe('JuteDecodeError');
    }
  });
});

describe('jute writer', () => {
  it('grows from a tiny initial size without losing bytes', () => {
    const w = new JuteWriter(1);
    const expected: string[] = [];
    for (let i = 0; i < 200; i++) {
      w.int(i).long(BigInt(-i)).bool(i % 2 === 0).ustring(`n${i}`);
      expected.push(
        i.toString(16).padStart(8, '0'),
        BigInt.asUintN(64, BigInt(-i)).toString(16).padStart(16, '0'),
        i % 2 === 0 ? '01' : '00',
        Buffer.byteLength(`n${i}`).toString(16).padStart(8, '0'),
        Buffer.from(`n${i}`).toString('hex'),
      );
    }
    w.buffer(Buffer.alloc(5000, 7));
    expected.push('00001388', '07'.repeat(5000));
    expect(toHex(w.bytes())).toBe(expected.join(''));
    expect(w.length).toBe(w.bytes().length);
  });

  it('raw writes bytes without a prefix', () => {
    expect(written((w) => w.raw(hex('0102')).raw(new Uint8Array(0)))).toBe('0102');
  });

  it('forFrame reserves the length prefix and frame() fills it in (length excludes itself)', () => {
    const w = JuteWriter.forFrame(2);
    w.int(-2).int(11);
    expect(toHex(w.frame())).toBe('00000008fffffffe0000000b');
    expect(toHex(JuteWriter.forFrame().frame())).toBe('00000000');
  });
});

describe('schema combinators', () => {
  const Sample = record({ a: int, b: long, c: bool, d: buffer, e: ustring, f: nullableUstring, g: vector(int) });

  it('a record is its fields concatenated in declaration order, no tags or length', () => {
    const v = { a: 1, b: 2n, c: true, d: null, e: 'x', f: null, g: [3] };
    expect(encodeToBuffer(Sample, v).toString('hex')).toBe(
      '00000001' + '0000000000000002' + '01' + 'ffffffff' + '0000000178' + 'ffffffff' + '00000001' + '00000003',
    );
    expect(decodeFromBuffer(Sample, encodeToBuffer(Sample, v))).toEqual(v);
    expect(Object.keys(Sample.fields)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('a decoded record has its fields in declaration order; fields named like JS keywords or with quotes work', () => {
    const decoded = decodeFromBuffer(Sample, hex('00000001 0000000000000002 00 00000000 00000000 ffffffff 00000000'));
    expect(Object.keys(decoded)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    const Odd = record({ 'default': int, 'it\'s': int, 'new': int });
    const v = { 'default': 1, "it's": 2, 'new': 3 };
    expect(decodeFromBuffer(Odd, encodeToBuffer(Odd, v))).toEqual(v);
    expect(decodeFromBuffer(record({}), Buffer.alloc(0))).toEqual({});
  });

  it('nested records are inline', () => {
    const Outer = record({ x: int, inner: record({ y: int }), z: int });
    expect(encodeToBuffer(Outer, { x: 1, inner: { y: 2 }, z: 3 }).toString('hex')).toBe('000000010000000200000003');
  });

  it('empty encodes to nothing and decodes from nothing', () => {
    expect(encodeToBuffer(empty, {}).length).toBe(0);
    expect(decodeFromBuffer(empty, Buffer.alloc(0))).toEqual({});
  });

  it('decodeFromBuffer rejects trailing bytes unless allowed', () => {
    expect(() => decodeFromBuffer(int, hex('00000001 00'))).toThrow(JuteDecodeError);
    expect(() => decodeFromBuffer(empty, hex('00'))).toThrow(JuteDecodeError);
    expect(decodeFromBuffer(int, hex('00000001 00'), true)).toBe(1);
  });

  it('encodeToBuffer returns an independent copy', () => {
    const a = encodeToBuffer(int, 1, 4);
    const b = encodeToBuffer(int, 2, 4);
    expect(a.toString('hex')).toBe('00000001');
    expect(b.toString('hex')).toBe('00000002');
  });

  it('long codec keeps values outside the double range exact', () => {
    for (const v of [LONG_MIN, LONG_MAX, 2n ** 53n + 1n, -(2n ** 53n) - 1n]) {
      expect(decodeFromBuffer(long, encodeToBuffer(long, v))).toBe(v);
    }
  });
});

describe('ustringNullAsEmpty (ACL ids)', () => {
  it('reads a null string (kazoo writes "" that way) as the empty string', () => {
    expect(ustringNullAsEmpty.decode(new JuteReader(Buffer.from('ffffffff', 'hex')))).toBe('');
    expect(ustringNullAsEmpty.decode(new JuteReader(Buffer.from('0000000161', 'hex')))).toBe('a');
  });
});

describe('a reused JuteWriter (reset, copy, copyFrame)', () => {
  it('copy() is the bytes so far in a buffer of their own, unchanged by later writes', () => {
    const w = new JuteWriter(8);
    w.int(1).long(2n);
    const first = w.copy();
    w.reset();
    w.int(0x7fffffff).long(-1n);
    expect(toHex(first)).toBe('00000001' + '0000000000000002');
    expect(toHex(w.copy())).toBe('7fffffff' + 'ffffffffffffffff');
  });

  it('resetForFrame / copyFrame build one frame after another, each with its own length prefix', () => {
    const w = JuteWriter.forFrame(4);
    w.int(7).ustring('abc');
    const one = w.copyFrame();
    w.resetForFrame();
    w.int(9);
    expect(toHex(one)).toBe('0000000b' + '00000007' + '00000003616263');
    expect(toHex(w.copyFrame())).toBe('00000004' + '00000009');
  });

  it('lets go of a buffer one big message grew past 1 MiB, and keeps a smaller one', () => {
    const capacity = (w: JuteWriter) => (w as unknown as { buf: Buffer }).buf.length;
    const w = new JuteWriter(64);
    w.raw(Buffer.alloc(3 << 20));
    w.reset();
    expect(capacity(w)).toBe(1 << 20);
    w.int(5);
    expect(toHex(w.copy())).toBe('00000005');
    const big = new JuteWriter((1 << 20) + 4096);
    big.raw(Buffer.alloc(1000));
    big.reset();
    expect(capacity(big)).toBe((1 << 20) + 4096);
  });
});
