// FrameDecoder: `int32 len | payload` frames with the jute.maxbuffer limit (protocol.md §1.1,
// §11 first-word detection, §15.24).

import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BUFFER, FrameDecoder, FrameTooLargeError } from '../../../protocol/framing.js';
import { hex, toHex } from './support.js';

function frame(payload: Buffer | string): Buffer {
  const p = typeof payload === 'string' ? hex(payload) : payload;
  const len = Buffer.alloc(4);
  len.writeInt32BE(p.length);
  return Buffer.concat([len, p]);
}

const PING = hex('00000008 fffffffe 0000000b');
const GET_DATA = hex('0000000f 00000001 00000004 00000002 2f61 01');
const CLOSE = hex('00000008 00000007 fffffff5');

function byteByByte(d: FrameDecoder, stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length; i++) out.push(...d.push(stream.subarray(i, i + 1)));
  return out;
}

describe('FrameDecoder', () => {
  it('the default limit is jute.maxbuffer 0xFFFFF', () => {
    expect(DEFAULT_MAX_BUFFER).toBe(1048575);
  });

  it('decodes several frames from one chunk, payloads without the length prefix', () => {
    const d = new FrameDecoder();
    const frames = d.push(Buffer.concat([PING, GET_DATA, CLOSE]));
    expect(frames.map(toHex)).toEqual([
      'fffffffe0000000b',
      '000000010000000400000002' + '2f6101',
      '00000007fffffff5',
    ]);
    expect(d.pendingBytes).toBe(0);
  });

  it('byte-by-byte feeding gives the same frames as one big chunk', () => {
    const stream = Buffer.concat([PING, frame(''), GET_DATA, frame(Buffer.alloc(300, 9)), CLOSE, frame('')]);
    const oneShot = new FrameDecoder().push(stream).map(toHex);
    const d = new FrameDecoder();
    const slow = byteByByte(d, stream).map(toHex);
    expect(slow).toEqual(oneShot);
    expect(oneShot).toHaveLength(6);
    expect(d.pendingBytes).toBe(0);
  });

  it('returns nothing until a frame is complete, and keeps the remainder', () => {
    const d = new FrameDecoder();
    expect(d.push(GET_DATA.subarray(0, 3))).toEqual([]);
    expect(d.pendingBytes).toBe(3);
    expect(d.push(GET_DATA.subarray(3, 10))).toEqual([]);
    const [f, ...rest] = d.push(Buffer.concat([GET_DATA.subarray(10), PING.subarray(0, 6)]));
    expect(rest).toEqual([]);
    expect(toHex(f!)).toBe(toHex(GET_DATA.subarray(4)));
    // 6 bytes of the ping are buffered; its 4-byte length has been parsed, so 2 payload bytes are pending
    expect(d.pendingBytes).toBe(2);
    expect(d.push(PING.subarray(6)).map(toHex)).toEqual(['fffffffe0000000b']);
  });

  it('zero-length frames come out as empty buffers', () => {
    const d = new FrameDecoder();
    const frames = d.push(hex('00000000 00000000 00000001 aa 00000000'));
    expect(frames.map(toHex)).toEqual(['', '', 'aa', '']);
  });

  it('empty chunks are harmless', () => {
    const d = new FrameDecoder();
    expect(d.push(Buffer.alloc(0))).toEqual([]);
    expect(d.push(PING.subarray(0, 2))).toEqual([]);
    expect(d.push(Buffer.alloc(0))).toEqual([]);
    expect(d.push(PING.subarray(2)).map(toHex)).toEqual(['fffffffe0000000b']);
  });

  it('accepts a frame of exactly maxBuffer bytes', () => {
    const d = new FrameDecoder();
    const big = frame(Buffer.alloc(DEFAULT_MAX_BUFFER, 1));
    const frames = [...d.push(big.subarray(0, 1000)), ...d.push(big.subarray(1000))];
    expect(frames).toHaveLength(1);
    expect(frames[0]!.length).toBe(DEFAULT_MAX_BUFFER);
  });

  it.each([
    ['maxBuffer + 1', '00100000', 0x100000],
    ['2^31 - 1', '7fffffff', 0x7fffffff],
    ['-1', 'ffffffff', -1],
    ['-2^31', '80000000', -0x80000000],
  ])('a length of %s throws FrameTooLargeError as soon as the 4 length bytes arrive', (_n, lenHex, len) => {
    const d = new FrameDecoder();
    const b = hex(lenHex);
    expect(d.push(b.subarray(0, 3))).toEqual([]);
    let err: unknown;
    try {
      d.push(b.subarray(3));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect((err as FrameTooLargeError).length).toBe(len);
    expect((err as FrameTooLargeError).maxBuffer).toBe(DEFAULT_MAX_BUFFER);
    expect((err as Error).name).toBe('FrameTooLargeError');
  });

  it('a bad length after good frames: the good frames were already returned by earlier pushes', () => {
    const d = new FrameDecoder();
    expect(d.push(PING)).toHaveLength(1);
    expect(() => d.push(hex('00100000 00'))).toThrow(FrameTooLargeError);
  });

  it.each([
    ['over the limit', '00100000', 0x100000],
    ['negative', 'fffffff0', -16],
  ])('one chunk with good frames then a length %s: decode delivers the frames, then the error', (_n, lenHex, len) => {
    const d = new FrameDecoder();
    const { frames, error } = d.decode(Buffer.concat([PING, GET_DATA, hex(lenHex), hex('0000')]));
    expect(frames.map(toHex)).toEqual(['fffffffe0000000b', toHex(GET_DATA.subarray(4))]);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error!.length).toBe(len);
    expect(error!.frames).toBe(frames);
    expect(d.pendingBytes).toBe(0);
    expect(() => d.decode(PING)).toThrow('FrameDecoder used after a framing error');
  });

  it('push throws for that chunk; the error carries the frames that came before the bad length', () => {
    const d = new FrameDecoder(64);
    let err: unknown;
    try {
      d.push(Buffer.concat([PING, CLOSE, frame(Buffer.alloc(65))]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect((err as FrameTooLargeError).length).toBe(65);
    expect((err as FrameTooLargeError).frames.map(toHex)).toEqual(['fffffffe0000000b', '00000007fffffff5']);
  });

  it('a frame completed by the failing chunk is delivered; frames returned earlier are not repeated', () => {
    const d = new FrameDecoder();
    expect(d.decode(Buffer.concat([PING, GET_DATA.subarray(0, 9)])).frames.map(toHex)).toEqual(['fffffffe0000000b']);
    const { frames, error } = d.decode(Buffer.concat([GET_DATA.subarray(9), hex('ffffffff')]));
    expect(frames.map(toHex)).toEqual([toHex(GET_DATA.subarray(4))]);
    expect(error?.length).toBe(-1);
  });

  it('a bad length alone yields no frames and the error; good input yields no error', () => {
    expect(new FrameDecoder().decode(hex('80000000'))).toEqual({ frames: [], error: expect.any(FrameTooLargeError) });
    expect(new FrameDecoder().decode(PING)).toEqual({ frames: [PING.subarray(4)] });
  });

  it('refuses all input after a framing error', () => {
    const d = new FrameDecoder();
    expect(() => d.push(hex('ffffffff'))).toThrow(FrameTooLargeError);
    expect(() => d.push(PING)).toThrow(Error);
    expect(d.pendingBytes).toBe(0);
  });

  it('honours a custom maxBuffer', () => {
    const d = new FrameDecoder(8);
    expect(d.push(PING)).toHaveLength(1);
    expect(() => d.push(frame('000102030405060708'))).toThrow(FrameTooLargeError);
    const big = new FrameDecoder(0x7fffffff);
    expect(big.push(hex('00100000'))).toEqual([]);
  });

  it('frames stay valid when later chunks arrive', () => {
    const d = new FrameDecoder();
    const [a] = d.push(Buffer.concat([PING, CLOSE.subarray(0, 5)]));
    const [b] = d.push(CLOSE.subarray(5));
    expect(toHex(a!)).toBe('fffffffe0000000b');
    expect(toHex(b!)).toBe('00000007fffffff5');
  });
});

describe('FrameDecoder.peekFirstWord (four-letter words, §11)', () => {
  const RUOK = 0x72756f6b;
  const SRVR = 0x73727672;

  it('is undefined until 4 bytes have arrived', () => {
    const d = new FrameDecoder();
    expect(d.peekFirstWord()).toBeUndefined();
    d.push(Buffer.from('ru'));
    expect(d.peekFirstWord()).toBeUndefined();
    d.push(Buffer.from('o'));
    expect(d.peekFirstWord()).toBeUndefined();
  });

  it('a four-letter word is not a valid length, and stays visible after the length check fails', () => {
    for (const [word, value] of [['ruok', RUOK], ['srvr', SRVR], ['stat', 0x73746174], ['mntr', 0x6d6e7472]] as const) {
      const d = new FrameDecoder();
      d.push(Buffer.from(word.slice(0, 2)));
      let err: unknown;
      try {
        d.push(Buffer.from(word.slice(2)));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FrameTooLargeError);
      expect((err as FrameTooLargeError).length).toBe(value);
      expect(d.peekFirstWord()).toBe(value);
    }
  });

  it('stmk followed by its 8-byte mask in one chunk: the word is still the first 4 bytes', () => {
    const d = new FrameDecoder();
    expect(() => d.push(Buffer.concat([Buffer.from('stmk'), hex('00000000000000ff')]))).toThrow(FrameTooLargeError);
    expect(d.peekFirstWord()).toBe(0x73746d6b);
  });

  it('for a normal connection it is the first frame length, not later bytes', () => {
    const d = new FrameDecoder();
    d.push(hex('0000002d 00000000 0000'));
    expect(d.peekFirstWord()).toBe(0x2d);
    d.push(Buffer.alloc(39));
    expect(d.peekFirstWord()).toBe(0x2d);
    d.push(PING);
    expect(d.peekFirstWord()).toBe(0x2d);
  });
});
