// The txn log's record framing and segment scan: round trips, and what a scan reports for a
// tail cut at every byte, zero-filled tails and flipped bytes (torn write vs damage).

import { describe, expect, it } from 'vitest';
import {
  encodeRecord, encodeSegmentHeader, RECORD_HEADER_BYTES, scanSegment, SEGMENT_HEADER_BYTES,
} from '../../../../server/storage/log-format.js';

/** A payload as long as a real txn's (at least a TxnHeader), distinct per zxid. */
const payload = (zxid: bigint, extra = 20): Buffer => Buffer.alloc(32 + extra, Number(zxid % 251n) + 1);

const isZero = (b: Buffer): boolean => b.every((x) => x === 0);

function segment(first: bigint, count: number, preallocTo = 0): { buf: Buffer; offsets: number[] } {
  const parts = [encodeSegmentHeader()];
  const offsets: number[] = [];
  let at = SEGMENT_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const rec = encodeRecord(first + BigInt(i), payload(first + BigInt(i), i % 7));
    offsets.push(at);
    at += rec.length;
    parts.push(rec);
  }
  let buf = Buffer.concat(parts);
  if (preallocTo > buf.length) buf = Buffer.concat([buf, Buffer.alloc(preallocTo - buf.length)]);
  return { buf, offsets };
}

describe('log records', () => {
  it('round-trip through a preallocated segment; the zeros after them are a clean end', () => {
    const { buf, offsets } = segment(100n, 10, 4096);
    const scan = scanSegment(buf, 100n);
    expect(scan.problem).toBeUndefined();
    expect(scan.records.map((r) => r.zxid)).toEqual(Array.from({ length: 10 }, (_, i) => 100n + BigInt(i)));
    expect(scan.records.map((r) => r.offset)).toEqual(offsets);
    expect(scan.records[3]!.payload).toEqual(payload(103n, 3));
    expect(scan.validEnd).toBe(offsets[9]! + RECORD_HEADER_BYTES + payload(109n, 9 % 7).length);
  });

  it('an empty or all-zero file is an empty segment; a wrong header is a problem at offset 0', () => {
    expect(scanSegment(Buffer.alloc(0), 1n)).toEqual({ records: [], validEnd: 0, problem: undefined });
    expect(scanSegment(Buffer.alloc(64), 1n).problem).toBeUndefined();
    const bad = Buffer.from('not a zabkit segment at all');
    expect(scanSegment(bad, 1n).problem).toMatchObject({ offset: 0, reason: 'bad segment header' });
  });

  it('a tail cut at every byte of the last three records keeps exactly the complete records before the cut', () => {
    const { buf, offsets } = segment(1n, 12);
    const from = offsets[9]!;
    for (let cut = from; cut < buf.length; cut++) {
      const scan = scanSegment(buf.subarray(0, cut), 1n);
      const complete = offsets.filter((o, i) => (offsets[i + 1] ?? buf.length) <= cut && o < cut).length;
      expect(scan.records.length, `cut at ${cut}`).toBe(complete);
      expect(scan.validEnd).toBe(offsets[complete] ?? buf.length);
      // What is left of a cut record is either all zeros (a clean end) or a torn record.
      if (scan.problem === undefined) expect(isZero(buf.subarray(scan.validEnd, cut)), `cut at ${cut}`).toBe(true);
      else expect(scan.problem, `cut at ${cut}`).toMatchObject({ offset: offsets[complete], followedByValidRecord: false });
    }
  });

  it('a zero-filled tail (preallocated space the crash never wrote) is a torn write, not damage', () => {
    const { buf, offsets } = segment(1n, 8, 2048);
    for (const k of [5, 6, 7]) {
      const zeroed = Buffer.from(buf);
      zeroed.fill(0, offsets[k]! + 4);
      const scan = scanSegment(zeroed, 1n);
      expect(scan.records.length).toBe(k);
      expect(scan.validEnd).toBe(offsets[k]);
      expect(scan.problem).toMatchObject({ offset: offsets[k], followedByValidRecord: false });
      zeroed.fill(0, offsets[k]!);
      expect(scanSegment(zeroed, 1n)).toMatchObject({ validEnd: offsets[k], problem: undefined });
    }
  });

  it('a flipped byte in any record but the last is damage (valid records follow); in the last, a torn tail', () => {
    const { buf, offsets } = segment(1n, 6, 1024);
    for (let k = 0; k < 6; k++) {
      const end = offsets[k + 1] ?? offsets[5]! + RECORD_HEADER_BYTES + payload(6n, 5).length;
      for (const at of [offsets[k]!, offsets[k]! + 5, offsets[k]! + 9, end - 1]) {
        const flipped = Buffer.from(buf);
        flipped[at]! ^= 0x40;
        const scan = scanSegment(flipped, 1n);
        expect(scan.records.length, `flip at ${at} (record ${k})`).toBe(k);
        expect(scan.problem?.offset).toBe(offsets[k]);
        expect(scan.problem?.followedByValidRecord, `flip at ${at}`).toBe(k < 5);
      }
    }
  });
});
