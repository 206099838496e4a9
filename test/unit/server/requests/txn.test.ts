// Txn encoding: TxnHeader + record chosen by type, MultiTxn of {type, buffer} (protocol.md §14.2).

import { describe, expect, it } from 'vitest';
import { JuteDecodeError } from '../../../../protocol/jute/errors.js';
import { JuteReader } from '../../../../protocol/jute/reader.js';
import { encodeToBuffer } from '../../../../protocol/jute/schema.js';
import * as R from '../../../../protocol/records.js';
import { OpCode } from '../../../../protocol/ops.js';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from '../../../../protocol/types.js';
import { decodeTxn, encodeTxn, type Txn, type TxnRecord } from '../../../../server/requests/txn.js';

const header = (type: number): R.TxnHeader => ({
  clientId: 0x0100000000000007n, cxid: 42, zxid: 0x200000005n, time: 1_700_000_000_123n, type,
});

const acl: R.ACL[] = [{ perms: 31, id: { scheme: 'digest', id: 'bob:fyVmFCwVbTJYrznoSu1koqYEYF0=' } }, ...READ_ACL_UNSAFE];

const RECORDS: TxnRecord[] = [
  { type: OpCode.create, body: { path: '/a', data: Buffer.from('x'), acl, ephemeral: true, parentCVersion: 3 } },
  { type: OpCode.create2, body: { path: '/b', data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: -1 } },
  { type: OpCode.createContainer, body: { path: '/c', data: Buffer.alloc(0), acl: [...OPEN_ACL_UNSAFE], parentCVersion: 7 } },
  { type: OpCode.createTTL, body: { path: '/t', data: Buffer.from('t'), acl: [...OPEN_ACL_UNSAFE], parentCVersion: 1, ttl: 2n ** 40n - 1n } },
  { type: OpCode.delete, body: { path: '/a' } },
  { type: OpCode.deleteContainer, body: { path: '/c' } },
  { type: OpCode.setData, body: { path: '/a', data: Buffer.from('new'), version: -2147483648 } },
  { type: OpCode.reconfig, body: { path: '/zookeeper/config', data: Buffer.from('server.1=x'), version: 3 } },
  { type: OpCode.setACL, body: { path: '/a', acl, version: 9 } },
  { type: OpCode.check, body: { path: '/a', version: 2 } },
  { type: OpCode.error, body: { err: -101 } },
  { type: OpCode.createSession, body: { timeOut: 30000 } },
  { type: OpCode.closeSession, body: { paths2Delete: ['/e1', '/e2'] } },
  {
    type: OpCode.multi,
    body: [
      { type: OpCode.create, body: { path: '/m', data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: 1 } },
      { type: OpCode.setData, body: { path: '/m', data: Buffer.from('v'), version: 1 } },
      { type: OpCode.check, body: { path: '/m', version: 1 } },
      { type: OpCode.delete, body: { path: '/n' } },
      { type: OpCode.error, body: { err: -2 } },
    ],
  },
  { type: OpCode.multi, body: [] },
];

describe('encodeTxn / decodeTxn round trip (every txn type)', () => {
  it.each(RECORDS.map((r) => [r.type, r] as const))('type %i', (type, record) => {
    const txn: Txn = { header: header(type), record };
    const bytes = encodeTxn(txn);
    expect(decodeTxn(bytes)).toEqual(txn);
    // re-encoding is byte-identical
    expect(encodeTxn(decodeTxn(bytes)).equals(bytes)).toBe(true);
  });
});

describe('txn bytes', () => {
  it('TxnHeader is 32 bytes: clientId, cxid, zxid, time, type', () => {
    const bytes = encodeTxn({ header: header(OpCode.error), record: { type: OpCode.error, body: { err: -110 } } });
    expect(bytes.toString('hex')).toBe(
      '0100000000000007' + '0000002a' + '0000000200000005' + '0000018bcfe5687b' + 'ffffffff' + 'ffffff92',
    );
    expect(bytes).toHaveLength(36);
  });

  it('create txn body is CreateTxn{path, data, acl, ephemeral, parentCVersion}', () => {
    const record: TxnRecord = {
      type: OpCode.create, body: { path: '/a', data: null, acl: [...OPEN_ACL_UNSAFE], ephemeral: true, parentCVersion: 5 },
    };
    const bytes = encodeTxn({ header: header(OpCode.create), record });
    expect(bytes.subarray(32).toString('hex')).toBe(
      '00000002' + '2f61' + 'ffffffff' + '00000001' + '0000001f' + '00000005' + '776f726c64' + '00000006' + '616e796f6e65'
      + '01' + '00000005',
    );
  });

  it('multi is MultiTxn{vector<Txn{int type, buffer data}>} with each sub-record serialised alone', () => {
    const sub: TxnRecord = { type: OpCode.delete, body: { path: '/x' } };
    const bytes = encodeTxn({ header: header(OpCode.multi), record: { type: OpCode.multi, body: [sub, { type: OpCode.error, body: { err: 0 } }] } });
    const expected = encodeToBuffer(R.MultiTxn, {
      txns: [
        { type: OpCode.delete, data: encodeToBuffer(R.DeleteTxn, { path: '/x' }) },
        { type: OpCode.error, data: encodeToBuffer(R.ErrorTxn, { err: 0 }) },
      ],
    });
    expect(bytes.subarray(32).equals(expected)).toBe(true);
    const r = new JuteReader(bytes, 32);
    const decoded = R.MultiTxn.decode(r);
    expect(decoded.txns.map((t) => t.type)).toEqual([2, -1]);
    expect(r.remaining).toBe(0);
  });

  it('a 3.5 closeSession (no body) decodes as an empty path list', () => {
    const bytes = encodeToBuffer(R.TxnHeader, header(OpCode.closeSession));
    expect(decodeTxn(bytes)).toEqual({ header: header(OpCode.closeSession), record: { type: OpCode.closeSession, body: { paths2Delete: [] } } });
  });

  it('an unknown txn type is a decode error', () => {
    const bytes = encodeToBuffer(R.TxnHeader, header(99));
    expect(() => decodeTxn(Buffer.concat([bytes, Buffer.alloc(4)]))).toThrow(JuteDecodeError);
  });

  it('a truncated body is a decode error', () => {
    const record: TxnRecord = { type: OpCode.setData, body: { path: '/abc', data: Buffer.from('data'), version: 1 } };
    const bytes = encodeTxn({ header: header(OpCode.setData), record });
    expect(() => decodeTxn(bytes.subarray(0, bytes.length - 2))).toThrow(JuteDecodeError);
  });
});
