// The workload: the exact read/write mix, key spreading over sessions, unique create paths, and
// request frames that decode back (with protocol/'s own codecs) to what was meant.

import { describe, expect, it } from 'vitest';
import { JuteReader } from '../../../protocol/jute/reader.js';
import { OpCode, opSpec } from '../../../protocol/ops.js';
import {
  KEYS_PARENT, createPath, isReadAt, keyIndexAt, keyPath, opAt, payload, requestFrame, type Workload,
} from '../../../bench/workload.js';

const mixed = (readPct: number): Workload => ({ op: 'mixed', readPct, payloadBytes: 10, keys: 100 });

describe('read/write mix', () => {
  it.each([0, 1, 10, 33, 50, 90, 99, 100])('%d%% read: exactly that many reads in every 100 consecutive requests', (pct) => {
    for (const start of [0, 7, 100, 12_345]) {
      let reads = 0;
      for (let i = start; i < start + 100; i++) if (isReadAt(i, pct)) reads++;
      expect(reads).toBe(pct);
    }
  });

  it('reads are spread out, not bunched: 50% alternates', () => {
    const ops = Array.from({ length: 6 }, (_, i) => opAt(mixed(50), i));
    expect(ops).toEqual(['setData', 'getData', 'setData', 'getData', 'setData', 'getData']);
  });

  it('mixed uses getData for reads and setData for writes; single ops stay themselves', () => {
    expect(new Set(Array.from({ length: 100 }, (_, i) => opAt(mixed(90), i)))).toEqual(new Set(['getData', 'setData']));
    for (const op of ['create', 'setData', 'getData', 'exists'] as const) {
      expect(opAt({ ...mixed(90), op }, 3)).toBe(op);
    }
  });
});

describe('keys and paths', () => {
  it('sessions start at different places in the key space and wrap around', () => {
    expect([0, 1, 2, 3].map((s) => keyIndexAt(s, 4, 0, 100))).toEqual([0, 25, 50, 75]);
    expect(keyIndexAt(3, 4, 30, 100)).toBe(5);
    expect(keyIndexAt(0, 1, 250, 100)).toBe(50);
  });

  it('every key index stays inside the key space', () => {
    for (let s = 0; s < 7; s++) for (let i = 0; i < 50; i++) {
      const k = keyIndexAt(s, 7, i, 13);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(13);
    }
  });

  it('create paths are unique per run, session and request', () => {
    const paths = new Set<string>();
    for (const run of ['r1', 'r2']) for (let s = 0; s < 3; s++) for (let i = 0; i < 10; i++) paths.add(createPath(run, s, i));
    expect(paths.size).toBe(60);
    expect(keyPath(7)).toBe(`${KEYS_PARENT}/k7`);
  });

  it('payload has the requested size and is the same every time', () => {
    expect(payload(100)).toHaveLength(100);
    expect(payload(100).equals(payload(100))).toBe(true);
    expect(payload(0)).toHaveLength(0);
  });
});

describe('request frames', () => {
  /** length prefix, RequestHeader, then the body decoded with the op table's codec. */
  function decode(frame: Buffer): { length: number; xid: number; type: number; body: any } {
    const r = new JuteReader(frame.subarray(4));
    const xid = r.int();
    const type = r.int();
    return { length: frame.readInt32BE(0), xid, type, body: opSpec(type)!.request.decode(r) };
  }

  it('setData carries the data and version -1', () => {
    const f = decode(requestFrame(42, 'setData', '/a/b', payload(5)));
    expect(f).toMatchObject({ xid: 42, type: OpCode.setData, body: { path: '/a/b', version: -1 } });
    expect(Buffer.from(f.body.data).toString()).toBe('abcde');
  });

  it('create is a persistent znode with the open ACL', () => {
    const f = decode(requestFrame(1, 'create', '/x', payload(3)));
    expect(f.type).toBe(OpCode.create);
    expect(f.body).toMatchObject({ path: '/x', flags: 0, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }] });
  });

  it.each([
    ['getData', OpCode.getData],
    ['exists', OpCode.exists],
  ] as const)('%s sends the watch flag as asked', (op, code) => {
    expect(decode(requestFrame(3, op, '/k', null))).toMatchObject({ type: code, body: { path: '/k', watch: false } });
    expect(decode(requestFrame(3, op, '/k', null, true)).body.watch).toBe(true);
  });

  it('delete is unconditional (version -1); the length prefix covers the rest of the frame', () => {
    const frame = requestFrame(9, 'delete', '/gone', null);
    const f = decode(frame);
    expect(f).toMatchObject({ type: OpCode.delete, body: { path: '/gone', version: -1 } });
    expect(f.length).toBe(frame.length - 4);
  });
});
