// Property-based fuzzing of protocol/: hostile bytes must only ever produce the codec's own errors
// (JuteDecodeError and its subclasses, FrameTooLargeError), never a RangeError/TypeError from
// deeper down; valid values must round-trip; split input must not change what the framer sees.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BUFFER, FrameDecoder, FrameTooLargeError } from '../../../protocol/framing.js';
import { JuteDecodeError } from '../../../protocol/jute/errors.js';
import { JuteReader } from '../../../protocol/jute/reader.js';
import { JuteWriter } from '../../../protocol/jute/writer.js';
import { decodeFromBuffer, empty, encodeToBuffer, type Codec } from '../../../protocol/jute/schema.js';
import { allOps, type OpSpec } from '../../../protocol/ops.js';
import { MultiRequest, MultiResponse } from '../../../protocol/multi.js';
import { decodeConnectRequest, decodeConnectResponse } from '../../../protocol/handshake.js';
import * as R from '../../../protocol/records.js';
import {
  aclListArb, arbitraryFor, int32, int64, multiOpArb, multiResultArb, nullableBytes, statArb, text, toHex,
} from './support.js';

// ---------------------------------------------------------------------------------------------
// generators

/** Bytes that look like jute: mostly int32 tokens with interesting values, plus raw runs. */
const juteish = (): fc.Arbitrary<Buffer> => {
  const int = (v: number) => { const b = Buffer.alloc(4); b.writeInt32BE(v | 0); return b; };
  const token = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(-1, 0, 1, 2, 3, 4, 5, 8, 13, 15, 16, -2, -101, 0x7fffffff, -0x80000000).map(int) },
    { weight: 2, arbitrary: fc.integer({ min: -3, max: 40 }).map(int) },
    { weight: 1, arbitrary: int32().map(int) },
    { weight: 2, arbitrary: fc.constantFrom(0, 1, 0xff).map((b) => Buffer.from([b])) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)) },
  );
  return fc.array(token, { maxLength: 24 }).map((parts) => Buffer.concat(parts));
};

const anyBytes = (): fc.Arbitrary<Buffer> => fc.oneof(
  fc.uint8Array({ maxLength: 96 }).map((a) => Buffer.from(a)),
  juteish(),
);

/** A valid value for a codec the op table uses. */
function valueArb(codec: Codec<any>): fc.Arbitrary<any> {
  if (codec === empty) return fc.constant({});
  if (codec === MultiRequest) return fc.array(multiOpArb(), { maxLength: 4 });
  if (codec === MultiResponse) return fc.array(multiResultArb(), { maxLength: 4 });
  return arbitraryFor(codec);
}

/** Overwrites, truncates, extends or splices a valid encoding. */
const mutated = (valid: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> =>
  fc.tuple(
    valid,
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }),
    fc.option(fc.nat(), { nil: undefined }),
    fc.uint8Array({ maxLength: 6 }),
  ).map(([bytes, edits, cut, extra]) => {
    const b = Buffer.from(bytes);
    if (b.length > 0) for (const [at, v] of edits) b[at % b.length] = v;
    const kept = cut === undefined || b.length === 0 ? b : b.subarray(0, cut % (b.length + 1));
    return Buffer.concat([kept, extra]);
  });

function expectOnlyDecodeErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof JuteDecodeError)) {
      throw new Error(`expected JuteDecodeError, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
    }
  }
}

const OPS = allOps().map((s) => [s.name, s] as [string, OpSpec]);

// ---------------------------------------------------------------------------------------------
// codecs

describe('fuzz: request codecs of every op only raise JuteDecodeError', () => {
  it.each(OPS)('%s', (_name, spec) => {
    fc.assert(fc.property(fc.oneof(anyBytes(), mutated(valueArb(spec.request).map((v) => encodeToBuffer(spec.request, v)))), (bytes) => {
      expectOnlyDecodeErrors(() => decodeFromBuffer(spec.request, bytes));
      expectOnlyDecodeErrors(() => decodeFromBuffer(spec.request, bytes, true));
    }), { numRuns: 200 });
  });
});

describe('fuzz: response codecs of every op only raise JuteDecodeError', () => {
  it.each(OPS)('%s', (_name, spec) => {
    fc.assert(fc.property(fc.oneof(anyBytes(), mutated(valueArb(spec.response).map((v) => encodeToBuffer(spec.response, v)))), (bytes) => {
      expectOnlyDecodeErrors(() => decodeFromBuffer(spec.response, bytes, true));
    }), { numRuns: 100 });
  });
});

describe('fuzz: whatever decodes re-encodes canonically', () => {
  // decode(bytes) may normalise (non-zero bools -> 1, a null vector -> [], bad UTF-8 -> U+FFFD),
  // but after one pass encode∘decode must be the identity on bytes.
  it.each(OPS)('%s', (_name, spec) => {
    fc.assert(fc.property(fc.oneof(juteish(), mutated(valueArb(spec.request).map((v) => encodeToBuffer(spec.request, v)))), (bytes) => {
      let v: unknown;
      try {
        v = decodeFromBuffer(spec.request, bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(JuteDecodeError);
        return;
      }
      const once = encodeToBuffer(spec.request, v);
      const twice = encodeToBuffer(spec.request, decodeFromBuffer(spec.request, once));
      expect(toHex(twice)).toBe(toHex(once));
    }), { numRuns: 150 });
  });
});

describe('fuzz: multi and handshake decoders', () => {
  it('MultiRequest: only JuteDecodeError (UnknownMultiOpError included)', () => {
    const header = fc.tuple(fc.constantFrom(-1, 0, 1, 2, 3, 4, 5, 8, 13, 14, 15, 19, 21, 22, 99), fc.constantFrom(0, 1, 2), int32())
      .map(([t, d, e]) => { const b = Buffer.alloc(9); b.writeInt32BE(t); b[4] = d; b.writeInt32BE(e, 5); return b; });
    const chunks = fc.array(fc.oneof(header, juteish()), { maxLength: 8 }).map((c) => Buffer.concat(c));
    fc.assert(fc.property(fc.oneof(anyBytes(), chunks), (bytes) => {
      expectOnlyDecodeErrors(() => decodeFromBuffer(MultiRequest, bytes, true));
      expectOnlyDecodeErrors(() => decodeFromBuffer(MultiResponse, bytes, true));
    }), { numRuns: 500 });
  });

  it('decodeConnectRequest / decodeConnectResponse: only JuteDecodeError', () => {
    fc.assert(fc.property(anyBytes(), (bytes) => {
      expectOnlyDecodeErrors(() => decodeConnectRequest(new JuteReader(bytes)));
      expectOnlyDecodeErrors(() => decodeConnectResponse(new JuteReader(bytes)));
    }), { numRuns: 500 });
  });

  it('a reader window inside a larger buffer never reads past its end', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.nat(), (a, x, y) => {
      const buf = Buffer.from(a);
      const start = x % buf.length;
      const end = start + (y % (buf.length - start + 1));
      const r = new JuteReader(buf, start, end);
      expectOnlyDecodeErrors(() => {
        for (let i = 0; i < 20; i++) r.buffer();
      });
      expect(r.position).toBeLessThanOrEqual(end);
    }), { numRuns: 300 });
  });
});

// ---------------------------------------------------------------------------------------------
// framing

/** Reference model: frames in order, then the bad length that stopped the stream (if any). */
function referenceFrames(stream: Buffer, max: number): { frames: string[]; bad?: number; pending: number } {
  const frames: string[] = [];
  let at = 0;
  for (;;) {
    if (stream.length - at < 4) return { frames, pending: stream.length - at };
    const len = stream.readInt32BE(at);
    if (len < 0 || len > max) return { frames, bad: len, pending: 0 };
    if (stream.length - at - 4 < len) return { frames, pending: stream.length - at };
    frames.push(toHex(stream.subarray(at + 4, at + 4 + len)));
    at += 4 + len;
  }
}

function frameOf(payload: Uint8Array): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length);
  b.set(payload, 4);
  return b;
}

const streamArb = fc.oneof(
  fc.uint8Array({ maxLength: 160 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.array(fc.uint8Array({ maxLength: 40 }).map(frameOf), { maxLength: 6 }), fc.uint8Array({ maxLength: 10 }))
    .map(([frames, tail]) => Buffer.concat([...frames, tail])),
);
const maxArb = fc.constantFrom(DEFAULT_MAX_BUFFER, 64, 8, 0);

function feed(d: FrameDecoder, stream: Buffer, cuts: number[]): { frames: string[]; error?: unknown } {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const frames: string[] = [];
  let from = 0;
  try {
    for (const to of [...points, stream.length]) {
      frames.push(...d.push(stream.subarray(from, to)).map(toHex));
      from = to;
    }
  } catch (error) {
    // the frames that preceded the bad length in the failing chunk come with the error
    if (error instanceof FrameTooLargeError) frames.push(...error.frames.map(toHex));
    return { frames, error };
  }
  return { frames };
}

describe('fuzz: FrameDecoder', () => {
  it('split input agrees with one-shot decoding and the reference model; only FrameTooLargeError', () => {
    fc.assert(fc.property(streamArb, fc.array(fc.nat(), { maxLength: 8 }), maxArb, (stream, cuts, max) => {
      const ref = referenceFrames(stream, max);
      const oneShot = feed(new FrameDecoder(max), stream, []);
      const splitDecoder = new FrameDecoder(max);
      const split = feed(splitDecoder, stream, cuts);
      for (const r of [oneShot, split]) {
        if (ref.bad === undefined) {
          expect(r.error).toBeUndefined();
          expect(r.frames).toEqual(ref.frames);
        } else {
          expect(r.error).toBeInstanceOf(FrameTooLargeError);
          expect((r.error as FrameTooLargeError).length).toBe(ref.bad);
          // every complete frame before the bad length is delivered, however the input was split
          expect(r.frames).toEqual(ref.frames);
        }
      }
      // pendingBytes counts buffered bytes after the last frame, minus a length prefix already parsed
      if (ref.bad === undefined) expect(splitDecoder.pendingBytes).toBe(ref.pending >= 4 ? ref.pending - 4 : ref.pending);
      if (stream.length >= 4) expect(splitDecoder.peekFirstWord()).toBe(stream.readInt32BE(0));
    }), { numRuns: 500 });
  });

  it('byte-by-byte feeding delivers every frame before the failure', () => {
    fc.assert(fc.property(streamArb, maxArb, (stream, max) => {
      const ref = referenceFrames(stream, max);
      const cuts = Array.from({ length: stream.length }, (_, i) => i);
      const r = feed(new FrameDecoder(max), stream, cuts);
      expect(r.frames).toEqual(ref.frames);
      if (ref.bad === undefined) expect(r.error).toBeUndefined();
      else expect(r.error).toBeInstanceOf(FrameTooLargeError);
    }), { numRuns: 300 });
  });
});

// ---------------------------------------------------------------------------------------------
// round-trips of valid values

const roundTrip = <T>(codec: Codec<T>, arb: fc.Arbitrary<T>, numRuns = 300) => () => {
  fc.assert(fc.property(arb, (v) => {
    const bytes = encodeToBuffer(codec, v);
    expect(decodeFromBuffer(codec, bytes)).toStrictEqual(v);
  }), { numRuns });
};

const NNP = { noNullPrototype: true } as const;
const pathList = fc.array(text(24), { maxLength: 20 });

describe('fuzz: valid records round-trip', () => {
  it('Stat', roundTrip(R.Stat, statArb()));
  it('ACL lists', roundTrip(R.ACLList, aclListArb()));
  it('CreateRequest', roundTrip(R.CreateRequest,
    fc.record({ path: text(40), data: nullableBytes(200), acl: aclListArb(), flags: fc.integer({ min: 0, max: 6 }) }, NNP)));
  it('CreateTTLRequest', roundTrip(R.CreateTTLRequest,
    fc.record({ path: text(), data: nullableBytes(), acl: aclListArb(), flags: int32(), ttl: int64() }, NNP)));
  it('SetWatches2', roundTrip(R.SetWatches2, fc.record({
    relativeZxid: int64(), dataWatches: pathList, existWatches: pathList, childWatches: pathList,
    persistentWatches: pathList, persistentRecursiveWatches: pathList,
  }, NNP), 200));
  it('GetACLResponse', roundTrip(R.GetACLResponse, fc.record({ acl: aclListArb(), stat: statArb() }, NNP)));
  it('ReconfigRequest with nulls', roundTrip(R.ReconfigRequest, arbitraryFor(R.ReconfigRequest)));
  it('MultiRequest', roundTrip(MultiRequest, fc.array(multiOpArb(), { maxLength: 8 }), 200));
  it('MultiResponse', roundTrip(MultiResponse, fc.array(multiResultArb(), { maxLength: 8 }), 200));

  it('request frames of every op survive framing split at random points', () => {
    const opArb = fc.constantFrom(...allOps()).chain((spec) =>
      fc.tuple(fc.constant(spec), fc.integer({ min: 1, max: 0x7ffffffe }), valueArb(spec.request)));
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (reqs, cuts) => {
      const stream = Buffer.concat(reqs.map(([spec, xid, body]) => {
        const w = JuteWriter.forFrame();
        R.RequestHeader.encode(w, { xid, type: spec.code });
        spec.request.encode(w, body);
        return Buffer.from(w.frame());
      }));
      const d = new FrameDecoder();
      const r = feed(d, stream, cuts);
      expect(r.error).toBeUndefined();
      expect(r.frames).toHaveLength(reqs.length);
      r.frames.forEach((h, i) => {
        const [spec, xid, body] = reqs[i]!;
        const reader = new JuteReader(Buffer.from(h, 'hex'));
        expect(R.RequestHeader.decode(reader)).toEqual({ xid, type: spec.code });
        expect(spec.request.decode(reader)).toStrictEqual(body);
        expect(reader.remaining).toBe(0);
      });
    }), { numRuns: 200 });
  });
});
