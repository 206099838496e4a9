// ConnectRequest / ConnectResponse (protocol.md §1.2, §1.3, §15.5, §15.6).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeConnectRequest, decodeConnectResponse, encodeConnectRequest, encodeConnectResponse,
  type ConnectRequest, type ConnectResponse,
} from '../../../protocol/handshake.js';
import { JuteReader } from '../../../protocol/jute/reader.js';
import { JuteWriter } from '../../../protocol/jute/writer.js';
import { JuteDecodeError } from '../../../protocol/jute/errors.js';
import { bytes, hex, int32, int64, toHex } from './support.js';

function frameOf(fn: (w: JuteWriter) => void): Buffer {
  const w = JuteWriter.forFrame(16);
  fn(w);
  return Buffer.from(w.frame());
}

const payload = (frame: Buffer) => new JuteReader(frame, 4);

describe('ConnectRequest', () => {
  const NEW_SESSION = '0000002d | 00000000 | 0000000000000000 | 00007530 | 0000000000000000 | 00000010 | '
    + '00000000000000000000000000000000 | 00';

  it('a new session from a 3.x client is the 45-byte frame of §1.2', () => {
    const req: ConnectRequest = {
      protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false,
    };
    const f = frameOf((w) => encodeConnectRequest(w, req));
    expect(toHex(f)).toBe(toHex(hex(NEW_SESSION)));
    expect(f.length - 4).toBe(45);
    expect(decodeConnectRequest(payload(f))).toEqual(req);
  });

  it('fields sit at the offsets of §1.2', () => {
    const req: ConnectRequest = {
      protocolVersion: 0, lastZxidSeen: 0x0000000500000007n, timeOut: 40000, sessionId: 0x0100a1b2c3d40001n,
      passwd: Buffer.from('e12af4ede3bda1b751e79ed29874e2df', 'hex'), readOnly: true,
    };
    const p = frameOf((w) => encodeConnectRequest(w, req)).subarray(4);
    expect(p.length).toBe(45);
    expect(p.readInt32BE(0)).toBe(0);
    expect(p.readBigInt64BE(4)).toBe(req.lastZxidSeen);
    expect(p.readInt32BE(12)).toBe(40000);
    expect(p.readBigInt64BE(16)).toBe(req.sessionId);
    expect(p.readInt32BE(24)).toBe(16);
    expect(toHex(p.subarray(28, 44))).toBe('e12af4ede3bda1b751e79ed29874e2df');
    expect(p[44]).toBe(1);
  });

  it('a pre-3.4 client omits readOnly: decodes as undefined, and re-encodes without it', () => {
    const old = hex(NEW_SESSION).subarray(0, 48);
    old.writeInt32BE(44, 0);
    const req = decodeConnectRequest(payload(old));
    expect(req.readOnly).toBeUndefined();
    expect(req.timeOut).toBe(30000);
    expect(req.passwd).toEqual(Buffer.alloc(16));
    expect(toHex(frameOf((w) => encodeConnectRequest(w, req)))).toBe(toHex(old));
  });

  it('readOnly is any non-zero byte', () => {
    const f = hex(NEW_SESSION);
    f[48] = 0x7f;
    expect(decodeConnectRequest(payload(f)).readOnly).toBe(true);
  });

  it('a null password decodes as empty', () => {
    const p = hex('00000000 0000000000000000 00007530 0000000000000000 ffffffff');
    const req = decodeConnectRequest(new JuteReader(p));
    expect(req.passwd.length).toBe(0);
    expect(req.readOnly).toBeUndefined();
  });

  it.each([0, 3, 11, 12, 20, 24, 27, 30, 43])('truncated after %i bytes raises JuteDecodeError', (n) => {
    const p = hex(NEW_SESSION).subarray(4, 4 + n);
    expect(() => decodeConnectRequest(new JuteReader(p))).toThrow(JuteDecodeError);
  });

  it('round-trips with and without readOnly', () => {
    const arb = fc.record({
      protocolVersion: int32(), lastZxidSeen: int64(), timeOut: int32(), sessionId: int64(),
      passwd: bytes(24), readOnly: fc.option(fc.boolean(), { nil: undefined }),
    }, { noNullPrototype: true });
    fc.assert(fc.property(arb, (req) => {
      const f = frameOf((w) => encodeConnectRequest(w, req));
      expect(f.length).toBe(4 + 28 + req.passwd.length + (req.readOnly === undefined ? 0 : 1));
      const r = payload(f);
      expect(decodeConnectRequest(r)).toEqual(req);
      expect(r.remaining).toBe(0);
    }), { numRuns: 200 });
  });
});

describe('ConnectResponse', () => {
  it('normal payload is 37 bytes (00 00 00 25) at the offsets of §1.3', () => {
    const res: ConnectResponse = {
      protocolVersion: 0, timeOut: 30000, sessionId: 0x0100000000000000n,
      passwd: Buffer.from('f22acd4a97e69d6d20a49bb638eadb38', 'hex'), readOnly: false,
    };
    const f = frameOf((w) => encodeConnectResponse(w, res));
    expect(toHex(f)).toBe(toHex(hex(
      '00000025 | 00000000 | 00007530 | 0100000000000000 | 00000010 f22acd4a97e69d6d20a49bb638eadb38 | 00',
    )));
    expect(decodeConnectResponse(payload(f))).toEqual(res);
  });

  it('a read-only server sets the last byte', () => {
    const res: ConnectResponse = { protocolVersion: 0, timeOut: 4000, sessionId: 1n, passwd: Buffer.alloc(16), readOnly: true };
    const f = frameOf((w) => encodeConnectResponse(w, res));
    expect(f[f.length - 1]).toBe(1);
    expect(decodeConnectResponse(payload(f)).readOnly).toBe(true);
  });

  it('answering an old client omits readOnly (36 bytes); an old server\'s answer decodes as undefined', () => {
    const res: ConnectResponse = { protocolVersion: 0, timeOut: 30000, sessionId: 5n, passwd: Buffer.alloc(16), readOnly: undefined };
    const f = frameOf((w) => encodeConnectResponse(w, res));
    expect(f.readInt32BE(0)).toBe(36);
    expect(decodeConnectResponse(payload(f))).toEqual(res);
  });

  it('the invalid-session answer is timeout 0, session 0, 16 zero bytes (§15.6)', () => {
    const res: ConnectResponse = { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false };
    expect(toHex(frameOf((w) => encodeConnectResponse(w, res)))).toBe(toHex(hex(
      '00000025 00000000 00000000 0000000000000000 00000010 00000000000000000000000000000000 00',
    )));
  });

  it.each([0, 4, 8, 15, 16, 19, 20, 35])('truncated after %i bytes raises JuteDecodeError', (n) => {
    const p = hex('00000000 00007530 0100000000000000 00000010 f22acd4a97e69d6d20a49bb638eadb38 00').subarray(0, n);
    expect(() => decodeConnectResponse(new JuteReader(p))).toThrow(JuteDecodeError);
  });

  it('round-trips', () => {
    const arb = fc.record({
      protocolVersion: int32(), timeOut: int32(), sessionId: int64(),
      passwd: bytes(24), readOnly: fc.option(fc.boolean(), { nil: undefined }),
    }, { noNullPrototype: true });
    fc.assert(fc.property(arb, (res) => {
      const r = payload(frameOf((w) => encodeConnectResponse(w, res)));
      expect(decodeConnectResponse(r)).toEqual(res);
      expect(r.remaining).toBe(0);
    }), { numRuns: 200 });
  });
});
