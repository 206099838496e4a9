// The snapshot file format, as pure encode/decode steps. Layout:
//   "ZBSN" u32 version, i64 zxid (last txn applied when the snapshot began)
//   sessions: i32 count, then (i64 id, i32 timeoutMs) each
//   nodes: (ustring path, buffer data, i32 acl ref, i64 czxid mzxid ctime mtime,
//           i32 version cversion aversion, i64 ephemeralOwner pzxid) until a path of length -1;
//           acl ref -1 = a new ACL list follows inline and takes the next table index
//   trailer: i64 node records, u32 crc32 of every byte before it, "ZBSE"
// A node may appear twice in a fuzzy snapshot (deleted and re-created while it was written):
// the later record wins. Counterpart: FileSnap + SerializeUtils + DataTree.serialize (ACL cache).

import { crc32 } from 'node:zlib';
import type { ACL } from '../../protocol/records.js';
import * as R from '../../protocol/records.js';
import { JuteReader } from '../../protocol/jute/reader.js';
import { JuteWriter } from '../../protocol/jute/writer.js';
import { NO_CHILDREN, type Znode } from '../data/znode.js';

export const SNAPSHOT_MAGIC = 0x5a42534e; // "ZBSN"
export const SNAPSHOT_END_MAGIC = 0x5a425345; // "ZBSE"
export const SNAPSHOT_VERSION = 1;
const TRAILER_BYTES = 8 + 4 + 4;

/** Encodes node records, numbering ACL lists as they are first seen. */
export class SnapshotEncoder {
  private readonly aclByIdentity = new Map<readonly ACL[], number>();
  private readonly aclByValue = new Map<string, number>();
  nodeRecords = 0;

  header(w: JuteWriter, zxid: bigint, sessions: ReadonlyMap<bigint, number>): void {
    w.int(SNAPSHOT_MAGIC).int(SNAPSHOT_VERSION).long(zxid);
    w.int(sessions.size);
    for (const [id, timeout] of sessions) w.long(id).int(timeout);
  }

  node(w: JuteWriter, path: string, n: Znode): void {
    w.ustring(path).buffer(n.data);
    const ref = this.aclRef(n.acl);
    w.int(ref);
    if (ref === -1) R.ACLList.encode(w, n.acl as ACL[]);
    w.long(n.czxid).long(n.mzxid).long(n.ctime).long(n.mtime);
    w.int(n.version).int(n.cversion).int(n.aversion);
    w.long(n.ephemeralOwner).long(n.pzxid);
    this.nodeRecords++;
  }

  /** The end marker and node count; the caller appends the CRC trailer (`trailer`). */
  end(w: JuteWriter): void {
    w.int(-1).long(BigInt(this.nodeRecords));
  }

  /** -1 when the list is new (and is given the next index), else its index. */
  private aclRef(acl: readonly ACL[]): number {
    const known = this.aclByIdentity.get(acl);
    if (known !== undefined) return known;
    const key = acl.map((a) => `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}`).join('\u0001');
    const byValue = this.aclByValue.get(key);
    if (byValue !== undefined) {
      this.aclByIdentity.set(acl, byValue);
      return byValue;
    }
    const index = this.aclByValue.size;
    this.aclByValue.set(key, index);
    this.aclByIdentity.set(acl, index);
    return -1;
  }
}

/** The last 8 bytes of a snapshot: crc32 of everything before them, and the end magic. */
export function snapshotTrailer(crc: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(crc >>> 0, 0);
  b.writeUInt32BE(SNAPSHOT_END_MAGIC, 4);
  return b;
}

export interface DecodedSnapshot {
  readonly zxid: bigint;
  readonly sessions: Map<bigint, number>;
  /** Node records in file order (a repeated path: the later one wins). */
  readonly nodes: [string, Znode][];
}

export class SnapshotFormatError extends Error {}

/** Checks the trailer and CRC, then decodes. Throws SnapshotFormatError for anything invalid. */
export function decodeSnapshot(buf: Buffer): DecodedSnapshot {
  if (buf.length < 16 + TRAILER_BYTES) throw new SnapshotFormatError(`too short (${buf.length} bytes)`);
  if (buf.readUInt32BE(buf.length - 4) !== SNAPSHOT_END_MAGIC) throw new SnapshotFormatError('no end marker (incomplete write?)');
  const stored = buf.readUInt32BE(buf.length - 8);
  if (crc32(buf.subarray(0, buf.length - 8)) !== stored) throw new SnapshotFormatError('checksum mismatch');
  const r = new JuteReader(buf, 0, buf.length - 8);
  try {
    if (r.int() >>> 0 !== SNAPSHOT_MAGIC) throw new SnapshotFormatError('bad magic');
    const version = r.int();
    if (version !== SNAPSHOT_VERSION) throw new SnapshotFormatError(`unknown version ${version}`);
    const zxid = r.long();
    const sessions = new Map<bigint, number>();
    for (let n = r.count('sessions'); n > 0; n--) sessions.set(r.long(), r.int());
    const acls: ACL[][] = [];
    const nodes: [string, Znode][] = [];
    for (;;) {
      const path = r.ustringOrNull();
      if (path === null) break;
      const data = r.buffer();
      const ref = r.int();
      let acl: ACL[] | undefined;
      if (ref === -1) acls.push((acl = R.ACLList.decode(r)));
      else acl = acls[ref];
      if (acl === undefined) throw new SnapshotFormatError(`unknown ACL reference ${ref} at ${path}`);
      nodes.push([path, {
        data, acl,
        czxid: r.long(), mzxid: r.long(), ctime: r.long(), mtime: r.long(),
        version: r.int(), cversion: r.int(), aversion: r.int(),
        ephemeralOwner: r.long(), pzxid: r.long(),
        children: NO_CHILDREN,
      }]);
    }
    const count = r.long();
    if (count !== BigInt(nodes.length)) throw new SnapshotFormatError(`node count ${count} != ${nodes.length} records`);
    if (r.remaining !== 0) throw new SnapshotFormatError(`${r.remaining} stray bytes before the trailer`);
    return { zxid, sessions, nodes };
  } catch (e) {
    if (e instanceof SnapshotFormatError) throw e;
    throw new SnapshotFormatError(`undecodable: ${(e as Error).message}`);
  }
}
