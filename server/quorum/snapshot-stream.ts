// The tree as it travels after a SNAP packet: the bytes of a snapshot file (server/storage's
// format: header, sessions, nodes, end marker, CRC trailer) followed by the jute string
// "BenWasHere", with no length in front, exactly where ZooKeeper puts its serialized database.
// The receiving side finds the end by walking the records as they arrive.
// Counterpart: ZKDatabase.serializeSnapshot / deserializeSnapshot and the "BenWasHere"
// signature checked by Learner.syncWithLeader.

import { crc32 } from 'node:zlib';
import { JuteWriter } from '../../protocol/jute/writer.js';
import type { Znode } from '../data/znode.js';
import { SNAPSHOT_MAGIC, SnapshotEncoder, snapshotTrailer } from '../storage/snapshot-format.js';

export const SNAPSHOT_SIGNATURE = 'BenWasHere';
const SIGNATURE_BYTES = 4 + SNAPSHOT_SIGNATURE.length;
/** Node fields after the ACL: czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, pzxid. */
const NODE_TAIL_BYTES = 4 * 8 + 3 * 4 + 2 * 8;
const TRAILER_BYTES = 8;
/** No single path, data or id is anywhere near this; a larger length means garbage. */
const MAX_FIELD_BYTES = 64 * 1024 * 1024;

export class SnapshotStreamError extends Error {}

/** Serializes the tree (which is at `zxid`) and its sessions, then the signature. Synchronous. */
export function encodeSnapshotStream(zxid: bigint, sessions: ReadonlyMap<bigint, number>, nodes: Iterable<[string, Znode]>): Buffer {
  const encoder = new SnapshotEncoder();
  const w = new JuteWriter(64 * 1024);
  encoder.header(w, zxid, sessions);
  for (const [path, node] of nodes) encoder.node(w, path, node);
  encoder.end(w);
  const body = w.bytes();
  const signature = new JuteWriter(SIGNATURE_BYTES).ustring(SNAPSHOT_SIGNATURE).bytes();
  return Buffer.concat([body, snapshotTrailer(crc32(body)), signature]);
}

/**
 * Collects a snapshot stream from the bytes that follow a SNAP packet. `push` returns the
 * snapshot file bytes (for decodeSnapshot) and whatever came after the signature once the
 * stream is complete; undefined until then. Throws SnapshotStreamError on malformed input.
 */
export class SnapshotStreamScanner {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private length = 0;
  /** Offset of the next record not yet walked (0 before the header). */
  private cursor = 0;

  push(chunk: Buffer): { snapshot: Buffer; rest: Buffer } | undefined {
    this.append(chunk);
    if (this.cursor === 0) {
      const end = this.headerEnd();
      if (end === undefined) return undefined;
      this.cursor = end;
    }
    for (;;) {
      const next = this.recordEnd(this.cursor);
      if (next === undefined) return undefined;
      if (next === 'end') return this.finish();
      this.cursor = next;
    }
  }

  private append(chunk: Buffer): void {
    if (this.length + chunk.length > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + chunk.length));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    chunk.copy(this.buf, this.length);
    this.length += chunk.length;
  }

  private int(at: number): number | undefined {
    return at + 4 <= this.length ? this.buf.readInt32BE(at) : undefined;
  }

  /** Skips a length-prefixed field (-1 = null) at `at`; undefined when not all here yet. */
  private field(at: number, what: string): number | undefined {
    const n = this.int(at);
    if (n === undefined) return undefined;
    if (n < -1 || n > MAX_FIELD_BYTES) throw new SnapshotStreamError(`bad ${what} length ${n} at offset ${at}`);
    const end = at + 4 + Math.max(n, 0);
    return end <= this.length ? end : undefined;
  }

  private headerEnd(): number | undefined {
    if (this.length < 20) return undefined;
    if (this.buf.readUInt32BE(0) !== SNAPSHOT_MAGIC) throw new SnapshotStreamError('the stream after SNAP is not a snapshot');
    const sessions = this.buf.readInt32BE(16);
    if (sessions < 0) throw new SnapshotStreamError(`bad session count ${sessions}`);
    const end = 20 + sessions * 12;
    return end <= this.length ? end : undefined;
  }

  /** The offset after the node record at `at`, 'end' at the end marker once all of the stream is here. */
  private recordEnd(at: number): number | 'end' | undefined {
    const pathLength = this.int(at);
    if (pathLength === undefined) return undefined;
    if (pathLength === -1) return at + 4 + 8 + TRAILER_BYTES + SIGNATURE_BYTES <= this.length ? 'end' : undefined;
    let p = this.field(at, 'path');
    if (p !== undefined) p = this.field(p, 'data');
    if (p === undefined) return undefined;
    const aclRef = this.int(p);
    if (aclRef === undefined) return undefined;
    p += 4;
    if (aclRef === -1) {
      const count = this.int(p);
      if (count === undefined) return undefined;
      if (count < -1 || count > MAX_FIELD_BYTES) throw new SnapshotStreamError(`bad ACL count ${count}`);
      p += 4;
      for (let i = 0; i < count && p !== undefined; i++) {
        p = this.field(p + 4, 'scheme'); // perms, then scheme and id
        if (p !== undefined) p = this.field(p, 'id');
      }
      if (p === undefined) return undefined;
    }
    p += NODE_TAIL_BYTES;
    return p <= this.length ? p : undefined;
  }

  private finish(): { snapshot: Buffer; rest: Buffer } {
    const snapshotEnd = this.cursor + 4 + 8 + TRAILER_BYTES;
    const signatureLength = this.buf.readInt32BE(snapshotEnd);
    const signature = this.buf.toString('utf8', snapshotEnd + 4, snapshotEnd + 4 + Math.max(0, Math.min(signatureLength, SNAPSHOT_SIGNATURE.length)));
    if (signatureLength !== SNAPSHOT_SIGNATURE.length || signature !== SNAPSHOT_SIGNATURE) {
      throw new SnapshotStreamError(`missing signature after the snapshot (got '${signature}')`);
    }
    const end = snapshotEnd + SIGNATURE_BYTES;
    return { snapshot: Buffer.from(this.buf.subarray(0, snapshotEnd)), rest: Buffer.from(this.buf.subarray(end, this.length)) };
  }
}
