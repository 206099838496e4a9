// A transaction as the server produces and applies it: TxnHeader + a record chosen by type.
// `encodeTxn` gives the bytes that the txn log stores and a leader sends to followers, so each
// txn is serialized once. Counterpart: TxnHeader + org.apache.zookeeper.txn.*, SerializeUtils.

import { JuteReader } from '../../protocol/jute/reader.js';
import { JuteWriter } from '../../protocol/jute/writer.js';
import { JuteDecodeError } from '../../protocol/jute/errors.js';
import * as R from '../../protocol/records.js';
import type { Codec } from '../../protocol/jute/schema.js';
import { OpCode } from '../../protocol/ops.js';

export type TxnRecord =
  | { type: typeof OpCode.create | typeof OpCode.create2; body: R.CreateTxn }
  | { type: typeof OpCode.createContainer; body: R.CreateContainerTxn }
  | { type: typeof OpCode.createTTL; body: R.CreateTTLTxn }
  | { type: typeof OpCode.delete | typeof OpCode.deleteContainer; body: { path: string } }
  | { type: typeof OpCode.setData | typeof OpCode.reconfig; body: R.SetDataTxn }
  | { type: typeof OpCode.setACL; body: R.SetACLTxn }
  | { type: typeof OpCode.check; body: { path: string; version: number } }
  | { type: typeof OpCode.error; body: { err: number } }
  | { type: typeof OpCode.multi; body: TxnRecord[] }
  | { type: typeof OpCode.createSession; body: { timeOut: number } }
  | { type: typeof OpCode.closeSession; body: { paths2Delete: string[] } };

export interface Txn {
  header: R.TxnHeader;
  record: TxnRecord;
}

const BODY_CODECS: Record<number, Codec<any>> = {
  [OpCode.create]: R.CreateTxn,
  [OpCode.create2]: R.CreateTxn,
  [OpCode.createContainer]: R.CreateContainerTxn,
  [OpCode.createTTL]: R.CreateTTLTxn,
  [OpCode.delete]: R.DeleteTxn,
  [OpCode.deleteContainer]: R.DeleteTxn,
  [OpCode.setData]: R.SetDataTxn,
  [OpCode.reconfig]: R.SetDataTxn,
  [OpCode.setACL]: R.SetACLTxn,
  [OpCode.check]: R.CheckVersionTxn,
  [OpCode.error]: R.ErrorTxn,
  [OpCode.createSession]: R.CreateSessionTxn,
  [OpCode.closeSession]: R.CloseSessionTxn,
};

function encodeRecord(w: JuteWriter, record: TxnRecord): void {
  if (record.type === OpCode.multi) {
    const txns = record.body.map((sub) => {
      const sw = new JuteWriter(64);
      encodeRecord(sw, sub);
      return { type: sub.type, data: Buffer.from(sw.bytes()) };
    });
    R.MultiTxn.encode(w, { txns });
    return;
  }
  BODY_CODECS[record.type]!.encode(w, record.body);
}

function decodeRecord(type: number, r: JuteReader): TxnRecord {
  if (type === OpCode.multi) {
    const { txns } = R.MultiTxn.decode(r);
    return {
      type,
      body: txns.map((t) => decodeRecord(t.type, new JuteReader(t.data ?? Buffer.alloc(0)))),
    };
  }
  // A closeSession written by ZooKeeper 3.5 has no body.
  if (type === OpCode.closeSession && r.remaining === 0) return { type, body: { paths2Delete: [] } };
  const codec = BODY_CODECS[type];
  if (!codec) throw new JuteDecodeError(`unknown txn type ${type}`);
  return { type, body: codec.decode(r) } as TxnRecord;
}

/** Every txn is encoded here, then copied out at its exact size. */
const txnScratch = new JuteWriter(64 * 1024);

/** TxnHeader + record, the entry body of the txn log and of a PROPOSAL. */
export function encodeTxn(txn: Txn): Buffer {
  txnScratch.reset();
  R.TxnHeader.encode(txnScratch, txn.header);
  encodeRecord(txnScratch, txn.record);
  return txnScratch.copy();
}

export function decodeTxn(bytes: Buffer): Txn {
  const r = new JuteReader(bytes);
  const header = R.TxnHeader.decode(r);
  const record = decodeRecord(header.type, r);
  return { header, record };
}
