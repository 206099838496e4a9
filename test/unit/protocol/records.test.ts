// Records of zookeeper.jute (protocol.md §2, §4, §14.2): field order and types transcribed from the
// reference, byte layouts of the fixed-size records, the worked frames of §2.4, and a generic
// round-trip of every exported record.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as R from '../../../protocol/records.js';
import { JuteWriter } from '../../../protocol/jute/writer.js';
import { JuteReader } from '../../../protocol/jute/reader.js';
import { JuteDecodeError } from '../../../protocol/jute/errors.js';
import { decodeFromBuffer, encodeToBuffer, type Codec } from '../../../protocol/jute/schema.js';
import { arbitraryFor, hex, kindOf, recordExports, toHex } from './support.js';

/**
 * Wire shape of each record, transcribed from protocol.md §2 (headers), §4.1–4.3 and §14.2
 * (txn records). `ustring?` marks strings the protocol allows to be null (GetEphemeralsRequest's
 * prefixPath, ReconfigRequest's server lists). Records that protocol.md lists as unused
 * (GetMaxChildren*, SetMaxChildren*) are transcribed from zookeeper.jute.
 */
const SHAPES: Record<string, string> = {
  Id: 'ustring scheme; ustring id',
  ACL: 'int perms; record id',
  Stat: 'long czxid; long mzxid; long ctime; long mtime; int version; int cversion; int aversion; '
    + 'long ephemeralOwner; int dataLength; int numChildren; long pzxid',
  StatPersisted: 'long czxid; long mzxid; long ctime; long mtime; int version; int cversion; int aversion; '
    + 'long ephemeralOwner; long pzxid',
  ClientInfo: 'ustring authScheme; ustring user',
  RequestHeader: 'int xid; int type',
  ReplyHeader: 'int xid; long zxid; int err',
  MultiHeader: 'int type; bool done; int err',
  AuthPacket: 'int type; ustring scheme; buffer auth',
  WatcherEvent: 'int type; int state; ustring path',
  ErrorResponse: 'int err',
  CreateRequest: 'ustring path; buffer data; vector acl; int flags',
  CreateTTLRequest: 'ustring path; buffer data; vector acl; int flags; long ttl',
  DeleteRequest: 'ustring path; int version',
  DeleteContainerRequest: 'ustring path',
  ExistsRequest: 'ustring path; bool watch',
  GetDataRequest: 'ustring path; bool watch',
  GetChildrenRequest: 'ustring path; bool watch',
  GetChildren2Request: 'ustring path; bool watch',
  SetDataRequest: 'ustring path; buffer data; int version',
  GetACLRequest: 'ustring path',
  SetACLRequest: 'ustring path; vector acl; int version',
  SyncRequest: 'ustring path',
  CheckVersionRequest: 'ustring path; int version',
  GetAllChildrenNumberRequest: 'ustring path',
  ReconfigRequest: 'ustring? joiningServers; ustring? leavingServers; ustring? newMembers; long curConfigId',
  CheckWatchesRequest: 'ustring path; int type',
  RemoveWatchesRequest: 'ustring path; int type',
  AddWatchRequest: 'ustring path; int mode',
  GetEphemeralsRequest: 'ustring? prefixPath',
  GetSASLRequest: 'buffer token',
  SetSASLRequest: 'buffer token',
  GetMaxChildrenRequest: 'ustring path',
  SetMaxChildrenRequest: 'ustring path; int max',
  SetWatches: 'long relativeZxid; vector dataWatches; vector existWatches; vector childWatches',
  SetWatches2: 'long relativeZxid; vector dataWatches; vector existWatches; vector childWatches; '
    + 'vector persistentWatches; vector persistentRecursiveWatches',
  CreateResponse: 'ustring path',
  Create2Response: 'ustring path; record stat',
  ExistsResponse: 'record stat',
  SetDataResponse: 'record stat',
  SetACLResponse: 'record stat',
  GetDataResponse: 'buffer data; record stat',
  GetChildrenResponse: 'vector children',
  GetChildren2Response: 'vector children; record stat',
  GetACLResponse: 'vector acl; record stat',
  SyncResponse: 'ustring path',
  GetAllChildrenNumberResponse: 'int totalNumber',
  GetEphemeralsResponse: 'vector ephemerals',
  WhoAmIResponse: 'vector clientInfo',
  SetSASLResponse: 'buffer token',
  GetMaxChildrenResponse: 'int max',
  TxnHeader: 'long clientId; int cxid; long zxid; long time; int type',
  TxnDigest: 'int version; long treeDigest',
  CreateTxnV0: 'ustring path; buffer data; vector acl; bool ephemeral',
  CreateTxn: 'ustring path; buffer data; vector acl; bool ephemeral; int parentCVersion',
  CreateTTLTxn: 'ustring path; buffer data; vector acl; int parentCVersion; long ttl',
  CreateContainerTxn: 'ustring path; buffer data; vector acl; int parentCVersion',
  DeleteTxn: 'ustring path',
  SetDataTxn: 'ustring path; buffer data; int version',
  CheckVersionTxn: 'ustring path; int version',
  SetACLTxn: 'ustring path; vector acl; int version',
  SetMaxChildrenTxn: 'ustring path; int max',
  CreateSessionTxn: 'int timeOut',
  CloseSessionTxn: 'vector paths2Delete',
  ErrorTxn: 'int err',
  Txn: 'int type; buffer data',
  MultiTxn: 'vector txns',
};

function shapeOf(codec: { fields: Record<string, Codec<unknown>> }): string {
  return Object.entries(codec.fields).map(([name, c]) => `${kindOf(c)} ${name}`).join('; ');
}

/** Element types of vector fields, checked by encoding a one-element vector and decoding it as the expected element. */
const VECTOR_ELEMENT_SAMPLES: Record<string, [unknown, string]> = {
  acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }, '0000001f 00000005 776f726c64 00000006 616e796f6e65'],
  children: ['ab', '00000002 6162'],
  dataWatches: ['ab', '00000002 6162'],
  existWatches: ['ab', '00000002 6162'],
  childWatches: ['ab', '00000002 6162'],
  persistentWatches: ['ab', '00000002 6162'],
  persistentRecursiveWatches: ['ab', '00000002 6162'],
  ephemerals: ['ab', '00000002 6162'],
  paths2Delete: ['ab', '00000002 6162'],
  clientInfo: [{ authScheme: 'ip', user: 'u' }, '00000002 6970 00000001 75'],
  txns: [{ type: 1, data: Buffer.from('x') }, '00000001 00000001 78'],
};

const records = recordExports();

describe('record shapes match protocol.md', () => {
  it('every exported record has a transcribed shape, and vice versa', () => {
    expect(records.map(([n]) => n).sort()).toEqual(Object.keys(SHAPES).sort());
  });

  it.each(records)('%s', (name, codec) => {
    expect(shapeOf(codec)).toBe(SHAPES[name]);
  });

  it('nested records are the right ones', () => {
    expect(R.ACL.fields.id).toBe(R.Id);
    for (const c of [R.Create2Response, R.ExistsResponse, R.SetDataResponse, R.SetACLResponse,
      R.GetDataResponse, R.GetChildren2Response, R.GetACLResponse]) {
      expect(c.fields.stat).toBe(R.Stat);
    }
  });

  it('vector fields carry the right element type', () => {
    for (const [name, codec] of records) {
      for (const [field, c] of Object.entries(codec.fields)) {
        if (kindOf(c) !== 'vector') continue;
        const sample = VECTOR_ELEMENT_SAMPLES[field];
        expect(sample, `${name}.${field}`).toBeDefined();
        const [element, bytes] = sample!;
        expect(toHex(encodeToBuffer(c, [element])), `${name}.${field}`).toBe('00000001' + toHex(hex(bytes)));
        expect(decodeFromBuffer(c, hex('00000001' + bytes))).toEqual([element]);
      }
    }
  });

  it('ACLList is a vector of ACL', () => {
    const [element, bytes] = VECTOR_ELEMENT_SAMPLES.acl!;
    expect(toHex(encodeToBuffer(R.ACLList, [element as R.ACL]))).toBe('00000001' + toHex(hex(bytes)));
  });
});

describe('every record round-trips', () => {
  it.each(records)('%s', (_name, codec) => {
    fc.assert(fc.property(arbitraryFor(codec), (value) => {
      const bytes = encodeToBuffer(codec, value);
      const back = decodeFromBuffer(codec, bytes);
      expect(back).toStrictEqual(value);
      expect(toHex(encodeToBuffer(codec, back))).toBe(toHex(bytes));
    }), { numRuns: 60 });
  });

  it.each(records.filter(([, c]) => Object.keys(c.fields).length > 0))('%s: every strict prefix fails to decode', (_n, codec) => {
    fc.assert(fc.property(arbitraryFor(codec), fc.nat(), (value, cut) => {
      const bytes = encodeToBuffer(codec, value);
      const prefix = bytes.subarray(0, cut % bytes.length);
      expect(() => decodeFromBuffer(codec, prefix)).toThrow(JuteDecodeError);
    }), { numRuns: 30 });
  });
});

const STAT: R.Stat = {
  czxid: 0x0102030405060708n,
  mzxid: 0x1112131415161718n,
  ctime: 0x2122232425262728n,
  mtime: 0x3132333435363738n,
  version: 0x41424344,
  cversion: -2,
  aversion: -1,
  ephemeralOwner: -0x7eeeeeeeeeeeeeefn,
  dataLength: 0x51525354,
  numChildren: 0x61626364,
  pzxid: 0x7172737475767778n,
};

describe('fixed layouts', () => {
  it('Stat is 68 bytes at the offsets of §4.1', () => {
    const b = encodeToBuffer(R.Stat, STAT);
    expect(b.length).toBe(68);
    expect(b.readBigInt64BE(0)).toBe(STAT.czxid);
    expect(b.readBigInt64BE(8)).toBe(STAT.mzxid);
    expect(b.readBigInt64BE(16)).toBe(STAT.ctime);
    expect(b.readBigInt64BE(24)).toBe(STAT.mtime);
    expect(b.readInt32BE(32)).toBe(STAT.version);
    expect(b.readInt32BE(36)).toBe(-2);
    expect(b.readInt32BE(40)).toBe(-1);
    expect(b.readBigInt64BE(44)).toBe(STAT.ephemeralOwner);
    expect(b.readInt32BE(52)).toBe(STAT.dataLength);
    expect(b.readInt32BE(56)).toBe(STAT.numChildren);
    expect(b.readBigInt64BE(60)).toBe(STAT.pzxid);
    expect(toHex(b)).toBe(
      '0102030405060708' + '1112131415161718' + '2122232425262728' + '3132333435363738'
      + '41424344' + 'fffffffe' + 'ffffffff' + '8111111111111111' + '51525354' + '61626364' + '7172737475767778',
    );
    expect(decodeFromBuffer(R.Stat, b)).toEqual(STAT);
  });

  it('StatPersisted is 60 bytes (no dataLength / numChildren)', () => {
    const { dataLength: _d, numChildren: _n, ...persisted } = STAT;
    const b = encodeToBuffer(R.StatPersisted, persisted);
    expect(b.length).toBe(60);
    expect(b.readBigInt64BE(44)).toBe(STAT.ephemeralOwner);
    expect(b.readBigInt64BE(52)).toBe(STAT.pzxid);
  });

  it('RequestHeader is 8 bytes: xid, type', () => {
    expect(toHex(encodeToBuffer(R.RequestHeader, { xid: 1, type: 4 }))).toBe('00000001' + '00000004');
    expect(decodeFromBuffer(R.RequestHeader, hex('fffffffe 0000000b'))).toEqual({ xid: -2, type: 11 });
  });

  it('ReplyHeader is 16 bytes: xid, zxid, err', () => {
    const b = encodeToBuffer(R.ReplyHeader, { xid: 5, zxid: 0x1122334455667788n, err: -101 });
    expect(toHex(b)).toBe('00000005' + '1122334455667788' + 'ffffff9b');
    expect(decodeFromBuffer(R.ReplyHeader, hex('ffffffff ffffffffffffffff 00000000'))).toEqual({ xid: -1, zxid: -1n, err: 0 });
  });

  it('MultiHeader is 9 bytes', () => {
    expect(toHex(encodeToBuffer(R.MultiHeader, { type: -1, done: true, err: -1 }))).toBe('ffffffff01ffffffff');
  });

  it('TxnHeader is 32 bytes and TxnDigest 12 (§14.2)', () => {
    const h = encodeToBuffer(R.TxnHeader, { clientId: 0x0100000000000001n, cxid: 3, zxid: 0x500000001n, time: 1700000000000n, type: 1 });
    expect(h.length).toBe(32);
    expect(toHex(h)).toBe('0100000000000001' + '00000003' + '0000000500000001' + (1700000000000).toString(16).padStart(16, '0') + '00000001');
    expect(encodeToBuffer(R.TxnDigest, { version: 2, treeDigest: -1n }).length).toBe(12);
  });

  it('ACL with world:anyone', () => {
    expect(toHex(encodeToBuffer(R.ACLList, [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]))).toBe(
      '00000001' + '0000001f' + '00000005' + Buffer.from('world').toString('hex') + '00000006' + Buffer.from('anyone').toString('hex'),
    );
  });

  it('GetDataResponse keeps null data (-1) distinct from empty data (0)', () => {
    const nul = encodeToBuffer(R.GetDataResponse, { data: null, stat: STAT });
    const emp = encodeToBuffer(R.GetDataResponse, { data: Buffer.alloc(0), stat: STAT });
    expect(toHex(nul.subarray(0, 4))).toBe('ffffffff');
    expect(toHex(emp.subarray(0, 4))).toBe('00000000');
    expect(decodeFromBuffer(R.GetDataResponse, nul).data).toBeNull();
    expect(decodeFromBuffer(R.GetDataResponse, emp).data).toEqual(Buffer.alloc(0));
  });

  it('GetEphemeralsRequest prefixPath may be null', () => {
    expect(toHex(encodeToBuffer(R.GetEphemeralsRequest, { prefixPath: null }))).toBe('ffffffff');
    expect(decodeFromBuffer(R.GetEphemeralsRequest, hex('ffffffff'))).toEqual({ prefixPath: null });
  });
});

describe('worked frames of protocol.md §2.4', () => {
  function frame(build: (w: JuteWriter) => void): string {
    const w = JuteWriter.forFrame(8);
    build(w);
    return toHex(w.frame());
  }

  it('getData("/a", watch=true), xid 1', () => {
    const bytes = '0000000f 00000001 00000004 00000002 2f61 01';
    expect(frame((w) => {
      R.RequestHeader.encode(w, { xid: 1, type: 4 });
      R.GetDataRequest.encode(w, { path: '/a', watch: true });
    })).toBe(toHex(hex(bytes)));
    const r = new JuteReader(hex(bytes), 4);
    expect(R.RequestHeader.decode(r)).toEqual({ xid: 1, type: 4 });
    expect(R.GetDataRequest.decode(r)).toEqual({ path: '/a', watch: true });
    expect(r.remaining).toBe(0);
  });

  it('its success reply for data "hi"', () => {
    const f = hex(frame((w) => {
      R.ReplyHeader.encode(w, { xid: 1, zxid: 0x2an, err: 0 });
      R.GetDataResponse.encode(w, { data: Buffer.from('hi'), stat: STAT });
    }));
    expect(toHex(f.subarray(0, 26))).toBe(toHex(hex('0000005a | 00000001 000000000000002a 00000000 | 00000002 6869')));
    expect(f.length).toBe(4 + 0x5a);
    expect(toHex(f.subarray(26))).toBe(toHex(encodeToBuffer(R.Stat, STAT)));
  });

  it('NodeDataChanged notification for "/a" (≤3.8 zxid -1)', () => {
    const bytes = '0000001e | ffffffff ffffffffffffffff 00000000 | 00000003 00000003 00000002 2f61';
    expect(frame((w) => {
      R.ReplyHeader.encode(w, { xid: -1, zxid: -1n, err: 0 });
      R.WatcherEvent.encode(w, { type: 3, state: 3, path: '/a' });
    })).toBe(toHex(hex(bytes)));
    const r = new JuteReader(hex(bytes), 4);
    expect(R.ReplyHeader.decode(r)).toEqual({ xid: -1, zxid: -1n, err: 0 });
    expect(R.WatcherEvent.decode(r)).toEqual({ type: 3, state: 3, path: '/a' });
  });

  it('ping request and reply', () => {
    expect(frame((w) => R.RequestHeader.encode(w, { xid: -2, type: 11 }))).toBe('00000008fffffffe0000000b');
    expect(frame((w) => R.ReplyHeader.encode(w, { xid: -2, zxid: 0x100000005n, err: 0 })))
      .toBe(toHex(hex('00000010 fffffffe 0000000100000005 00000000')));
  });

  it('closeSession, xid 7', () => {
    expect(frame((w) => R.RequestHeader.encode(w, { xid: 7, type: -11 }))).toBe('0000000800000007fffffff5');
  });

  it('addWatch reply body is a 4-byte ErrorResponse{0} (§2.3)', () => {
    expect(toHex(encodeToBuffer(R.ErrorResponse, { err: 0 }))).toBe('00000000');
  });
});
