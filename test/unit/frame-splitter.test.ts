// Unit tests for the recording proxy's frame reassembly (test/support/recording-proxy.ts):
// frames split across chunks, several frames per chunk, and unframed (4lw-style) input.
import { describe, expect, it } from 'vitest';
import { FrameSplitter } from '../support/recording-proxy.js';

const frame = (payload: number[]): Buffer => {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  Buffer.from(payload).copy(b, 4);
  return b;
};

describe('FrameSplitter', () => {
  it('reassembles a frame delivered one byte at a time', () => {
    const s = new FrameSplitter();
    const whole = frame([1, 2, 3, 4, 5]);
    const out: Buffer[] = [];
    for (const byte of whole) out.push(...s.push(Buffer.from([byte])));
    expect(out).toEqual([whole]);
    expect(s.buffered).toBe(0);
  });

  it('splits several frames (including empty ones) from one chunk and keeps the remainder', () => {
    const s = new FrameSplitter();
    const a = frame([0xaa]);
    const empty = frame([]);
    const c = frame([1, 2, 3]);
    expect(s.push(Buffer.concat([a, empty, c.subarray(0, 5)]))).toEqual([a, empty]);
    expect(s.buffered).toBe(5);
    expect(s.push(c.subarray(5))).toEqual([c]);
  });

  it('gives up on streams whose length prefix is impossible', () => {
    const s = new FrameSplitter();
    expect(s.push(Buffer.from('srvr'))).toEqual([]);
    expect(s.unframed).toBe(true);
    expect(s.push(frame([1]))).toEqual([]);
  });
});
