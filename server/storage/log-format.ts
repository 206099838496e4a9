// The txn log's on-disk format, as pure functions over buffers. A segment is a 16-byte header
// ("ZBTL", version, reserved) then records, then zeros (preallocated space). A record is
// [payload length u32][crc32 u32][zxid i64][payload], the CRC covering length, zxid and
// payload; the payload is the serialized txn (server/requests/txn.ts encodeTxn).
// Counterpart: FileTxnLog's FileHeader + (Adler32 checksum, length-prefixed txn, 'B' marker).

import { crc32 } from 'node:zlib';

export const SEGMENT_MAGIC = 0x5a42544c; // "ZBTL"
export const SEGMENT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 16;
/** A serialized TxnHeader alone is 32 bytes; no real record is shorter. */
const MIN_PAYLOAD = 32;
/** Records bigger than this cannot be ours (jute.maxbuffer is far below it). */
const MAX_PAYLOAD = 64 * 1024 * 1024;

export function encodeSegmentHeader(): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_BYTES);
  b.writeUInt32BE(SEGMENT_MAGIC, 0);
  b.writeUInt32BE(SEGMENT_VERSION, 4);
  return b;
}

/** Length then zxid, contiguous, for the CRC (in the record the CRC sits between them). */
const crcPrefix = Buffer.alloc(12);
const crcPrefixView = new DataView(crcPrefix.buffer, crcPrefix.byteOffset, crcPrefix.length);

/**
 * A record's 16-byte header; the payload follows it unchanged (so it is never copied). Called
 * once per txn: no BigInt arithmetic (Buffer.writeBigInt64BE allocates) and no views.
 */
export function encodeRecordHeader(zxid: bigint, payload: Buffer): Buffer {
  crcPrefixView.setUint32(0, payload.length);
  crcPrefixView.setBigInt64(4, zxid);
  const h = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  crcPrefix.copy(h, 0, 0, 4);
  h.writeUInt32BE(crc32(payload, crc32(crcPrefix)), 4);
  crcPrefix.copy(h, 8, 4, 12);
  return h;
}

/** One framed record as a single buffer. */
export function encodeRecord(zxid: bigint, payload: Buffer): Buffer {
  return Buffer.concat([encodeRecordHeader(zxid, payload), payload]);
}

function recordCrc(buf: Buffer, offset: number, length: number): number {
  const head = crc32(buf.subarray(offset, offset + 4));
  return crc32(buf.subarray(offset + 8, offset + RECORD_HEADER_BYTES + length), head);
}

export interface LogRecord {
  readonly zxid: bigint;
  /** Byte offset of the record in its segment. */
  readonly offset: number;
  readonly payload: Buffer;
}

/** Why a scan stopped before the end of the file. */
export interface ScanProblem {
  readonly offset: number;
  readonly reason: string;
  /** A valid record with a higher zxid lies beyond the problem: this is corruption, not a torn tail. */
  readonly followedByValidRecord: boolean;
}

export interface SegmentScan {
  readonly records: LogRecord[];
  /** Offset just past the last valid record (where appending would continue). */
  readonly validEnd: number;
  /** undefined when the segment ends cleanly (end of file, or only zeros after the records). */
  readonly problem: ScanProblem | undefined;
}

/**
 * Reads every valid record of a segment, stopping at the first one that is not. `firstZxid`
 * (from the file name) tells how new a record beyond a bad spot must be to count as valid.
 */
export function scanSegment(buf: Buffer, firstZxid: bigint): SegmentScan {
  const records: LogRecord[] = [];
  if (buf.length < SEGMENT_HEADER_BYTES || buf.readUInt32BE(0) !== SEGMENT_MAGIC) {
    if (allZero(buf, 0)) return { records, validEnd: 0, problem: undefined };
    return { records, validEnd: 0, problem: { offset: 0, reason: 'bad segment header', followedByValidRecord: false } };
  }
  if (buf.readUInt32BE(4) !== SEGMENT_VERSION) {
    return { records, validEnd: 0, problem: { offset: 4, reason: `unknown segment version ${buf.readUInt32BE(4)}`, followedByValidRecord: false } };
  }
  let offset = SEGMENT_HEADER_BYTES;
  let lastZxid = firstZxid - 1n;
  while (offset < buf.length) {
    const reason = recordProblemAt(buf, offset);
    if (reason === 'end') {
      if (allZero(buf, offset)) return { records, validEnd: offset, problem: undefined };
    }
    if (reason !== undefined) {
      const problem = {
        offset,
        reason: reason === 'end' ? 'zero length followed by data' : reason,
        followedByValidRecord: findRecordAfter(buf, offset + 1, lastZxid),
      };
      return { records, validEnd: offset, problem };
    }
    const length = buf.readUInt32BE(offset);
    const zxid = buf.readBigInt64BE(offset + 8);
    records.push({ zxid, offset, payload: buf.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + length) });
    lastZxid = zxid;
    offset += RECORD_HEADER_BYTES + length;
  }
  return { records, validEnd: offset, problem: undefined };
}

/** undefined for a valid record at `offset`; 'end' for a zero length; otherwise what is wrong. */
function recordProblemAt(buf: Buffer, offset: number): string | undefined {
  if (offset + RECORD_HEADER_BYTES > buf.length) return allZero(buf, offset) ? 'end' : 'record header cut short';
  const length = buf.readUInt32BE(offset);
  if (length === 0) return 'end';
  if (length < MIN_PAYLOAD || length > MAX_PAYLOAD) return `implausible record length ${length}`;
  if (offset + RECORD_HEADER_BYTES + length > buf.length) return 'record cut short by the end of the file';
  if (recordCrc(buf, offset, length) !== buf.readUInt32BE(offset + 4)) return 'checksum mismatch';
  return undefined;
}

/** Is there, anywhere from `from` on, a valid record newer than `afterZxid`? */
function findRecordAfter(buf: Buffer, from: number, afterZxid: bigint): boolean {
  for (let p = from; p + RECORD_HEADER_BYTES + MIN_PAYLOAD <= buf.length; p++) {
    const length = buf.readUInt32BE(p);
    if (length < MIN_PAYLOAD || length > MAX_PAYLOAD || p + RECORD_HEADER_BYTES + length > buf.length) continue;
    const zxid = buf.readBigInt64BE(p + 8);
    // Cheap filter before the CRC: a later record of this log is close above the last good zxid.
    if (zxid <= afterZxid || zxid - afterZxid > 0x1_0000_0000_0000n) continue;
    if (recordCrc(buf, p, length) === buf.readUInt32BE(p + 4)) return true;
  }
  return false;
}

function allZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}
