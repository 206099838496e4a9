// multi / multiRead bodies (protocol.md §9, §15.30).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MultiRequest, MultiResponse, UnknownMultiOpError, type MultiOp, type MultiResult,
} from '../../../protocol/multi.js';
import { JuteDecodeError } from '../../../protocol/jute/errors.js';
import { decodeFromBuffer, encodeToBuffer } from '../../../protocol/jute/schema.js';
import * as R from '../../../protocol/records.js';
import { hex, multiOpArb, multiResultArb, toHex } from './support.js';

const TERMINATOR = 'ffffffff 01 ffffffff';
const str = (s: string) => Buffer.byteLength(s).toString(16).padStart(8, '0') + Buffer.from(s).toString('hex');

const STAT: R.Stat = {
  czxid: 1n, mzxid: 2n, ctime: 3n, mtime: 4n, version: 5, cversion: 6, aversion: 7,
  ephemeralOwner: 8n, dataLength: 9, numChildren: 10, pzxid: 11n,
};
const statHex = toHex(encodeToBuffer(R.Stat, STAT));

describe('MultiRequest encoding (§9.1)', () => {
  it('each op is MultiHeader{type, done=false, err=-1} + its record; terminator {-1, true, -1}', () => {
    const ops: MultiOp[] = [
      { type: 13, request: { path: '/a', version: 3 } },
      { type: 2, request: { path: '/a', version: -1 } },
    ];
    const expected = hex(
      '0000000d 00 ffffffff' + str('/a') + '00000003'
      + '00000002 00 ffffffff' + str('/a') + 'ffffffff'
      + TERMINATOR,
    );
    expect(toHex(encodeToBuffer(MultiRequest, ops))).toBe(toHex(expected));
    expect(decodeFromBuffer(MultiRequest, expected)).toEqual(ops);
  });

  it('an empty multi is just the terminator', () => {
    expect(toHex(encodeToBuffer(MultiRequest, []))).toBe(toHex(hex(TERMINATOR)));
    expect(decodeFromBuffer(MultiRequest, hex(TERMINATOR))).toEqual([]);
  });

  it('create, create2, createContainer carry a CreateRequest; createTTL a CreateTTLRequest', () => {
    const req = { path: '/c', data: Buffer.from('d'), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 };
    for (const type of [1, 15, 19] as const) {
      const b = encodeToBuffer(MultiRequest, [{ type, request: req }]);
      const header = type.toString(16).padStart(8, '0') + '00' + 'ffffffff';
      expect(toHex(b)).toBe(toHex(hex(header)) + toHex(encodeToBuffer(R.CreateRequest, req)) + toHex(hex(TERMINATOR)));
      expect(decodeFromBuffer(MultiRequest, b)).toEqual([{ type, request: req }]);
    }
    const ttl = { ...req, flags: 5, ttl: 1000n };
    const b = encodeToBuffer(MultiRequest, [{ type: 21, request: ttl }]);
    expect(toHex(b)).toBe('00000015' + '00' + 'ffffffff' + toHex(encodeToBuffer(R.CreateTTLRequest, ttl)) + toHex(hex(TERMINATOR)));
    expect(decodeFromBuffer(MultiRequest, b)).toEqual([{ type: 21, request: ttl }]);
  });

  it('setData, getData and getChildren sub-ops', () => {
    const ops: MultiOp[] = [
      { type: 5, request: { path: '/s', data: null, version: 2 } },
      { type: 4, request: { path: '/g', watch: false } },
      { type: 8, request: { path: '/k', watch: false } },
    ];
    const expected = hex(
      '00000005 00 ffffffff' + str('/s') + 'ffffffff' + '00000002'
      + '00000004 00 ffffffff' + str('/g') + '00'
      + '00000008 00 ffffffff' + str('/k') + '00'
      + TERMINATOR,
    );
    expect(toHex(encodeToBuffer(MultiRequest, ops))).toBe(toHex(expected));
    expect(decodeFromBuffer(MultiRequest, expected)).toEqual(ops);
  });

  it('decoding stops at the first header with done set (any non-zero byte)', () => {
    const b = hex('00000002 00 ffffffff' + str('/a') + '00000000' + 'ffffffff 07 ffffffff');
    expect(decodeFromBuffer(MultiRequest, b)).toEqual([{ type: 2, request: { path: '/a', version: 0 } }]);
  });

  it('a missing terminator is a decode error', () => {
    const b = hex('00000002 00 ffffffff' + str('/a') + '00000000');
    expect(() => decodeFromBuffer(MultiRequest, b)).toThrow(JuteDecodeError);
    expect(() => decodeFromBuffer(MultiRequest, Buffer.alloc(0))).toThrow(JuteDecodeError);
  });

  it.each([0, 3, 6, 7, 9, 11, 12, 14, 16, 17, 18, 20, 22, 100, 101, 106, 107, -1, -10, -11, 0x7fffffff])(
    'sub-op type %i is not allowed: UnknownMultiOpError',
    (type) => {
      const b = hex(type === -1 ? 'ffffffff' : (type >>> 0).toString(16).padStart(8, '0'));
      const body = Buffer.concat([b, hex('00 ffffffff' + str('/a') + '00000000' + TERMINATOR)]);
      let err: unknown;
      try {
        decodeFromBuffer(MultiRequest, body);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnknownMultiOpError);
      expect(err).toBeInstanceOf(JuteDecodeError);
    },
  );
});

describe('MultiResponse encoding (§9.2)', () => {
  it('a failed multi: error results with codes 0 … code … -2, each with ErrorResponse', () => {
    const results: MultiResult[] = [
      { type: -1, err: 0 },
      { type: -1, err: -101 },
      { type: -1, err: -2 },
    ];
    const expected = hex(
      'ffffffff 00 00000000' + '00000000'
      + 'ffffffff 00 ffffff9b' + 'ffffff9b'
      + 'ffffffff 00 fffffffe' + 'fffffffe'
      + TERMINATOR,
    );
    expect(toHex(encodeToBuffer(MultiResponse, results))).toBe(toHex(expected));
    expect(decodeFromBuffer(MultiResponse, expected)).toEqual(results);
  });

  it('create results carry only the path; create2 results carry path and Stat', () => {
    const create = hex('00000001 00 00000000' + str('/a0000000001') + TERMINATOR);
    expect(toHex(encodeToBuffer(MultiResponse, [{ type: 1, path: '/a0000000001' }]))).toBe(toHex(create));
    expect(decodeFromBuffer(MultiResponse, create)).toEqual([{ type: 1, path: '/a0000000001' }]);

    const create2 = hex('0000000f 00 00000000' + str('/b') + statHex + TERMINATOR);
    expect(toHex(encodeToBuffer(MultiResponse, [{ type: 15, path: '/b', stat: STAT }]))).toBe(toHex(create2));
    expect(decodeFromBuffer(MultiResponse, create2)).toEqual([{ type: 15, path: '/b', stat: STAT }]);
  });

  it('delete and check results have no body; setData has a Stat', () => {
    const b = hex(
      '00000002 00 00000000'
      + '0000000d 00 00000000'
      + '00000005 00 00000000' + statHex
      + TERMINATOR,
    );
    const results: MultiResult[] = [{ type: 2 }, { type: 13 }, { type: 5, stat: STAT }];
    expect(toHex(encodeToBuffer(MultiResponse, results))).toBe(toHex(b));
    expect(decodeFromBuffer(MultiResponse, b)).toEqual(results);
  });

  it('multiRead results: getData, getChildren and per-op errors', () => {
    const b = hex(
      '00000004 00 00000000' + '00000002 6869' + statHex
      + '00000008 00 00000000' + '00000002' + str('x') + str('y')
      + 'ffffffff 00 ffffff9a' + 'ffffff9a'
      + '00000004 00 00000000' + 'ffffffff' + statHex
      + TERMINATOR,
    );
    const results: MultiResult[] = [
      { type: 4, data: Buffer.from('hi'), stat: STAT },
      { type: 8, children: ['x', 'y'] },
      { type: -1, err: -102 },
      { type: 4, data: null, stat: STAT },
    ];
    expect(toHex(encodeToBuffer(MultiResponse, results))).toBe(toHex(b));
    expect(decodeFromBuffer(MultiResponse, b)).toEqual(results);
  });

  it('an unknown result type is a decode error', () => {
    expect(() => decodeFromBuffer(MultiResponse, hex('00000003 00 00000000' + TERMINATOR))).toThrow(JuteDecodeError);
    expect(() => decodeFromBuffer(MultiResponse, hex('00000015 00 00000000' + TERMINATOR))).toThrow(JuteDecodeError);
  });

  it('a missing terminator is a decode error', () => {
    expect(() => decodeFromBuffer(MultiResponse, hex('00000002 00 00000000'))).toThrow(JuteDecodeError);
  });
});

describe('multi round-trips', () => {
  it('requests', () => {
    fc.assert(fc.property(fc.array(multiOpArb(), { maxLength: 6 }), (ops) => {
      const b = encodeToBuffer(MultiRequest, ops);
      expect(decodeFromBuffer(MultiRequest, b)).toEqual(ops);
      expect(toHex(b.subarray(b.length - 9))).toBe(toHex(hex(TERMINATOR)));
    }), { numRuns: 200 });
  });

  it('responses', () => {
    fc.assert(fc.property(fc.array(multiResultArb(), { maxLength: 6 }), (results) => {
      const b = encodeToBuffer(MultiResponse, results);
      expect(decodeFromBuffer(MultiResponse, b)).toEqual(results);
    }), { numRuns: 200 });
  });

  it('response header err is the error code for error results and 0 otherwise', () => {
    fc.assert(fc.property(multiResultArb(), (res) => {
      const b = encodeToBuffer(MultiResponse, [res]);
      expect(b.readInt32BE(0)).toBe(res.type);
      expect(b[4]).toBe(0);
      expect(b.readInt32BE(5)).toBe(res.type === -1 ? res.err : 0);
    }), { numRuns: 100 });
  });
});
