// One member's replicated state in the simulation: a real DataTree and session table changed
// only by real txns through TxnApplier (apply for commits, replay for recovery), the snapshot
// bytes of server/storage's format (for SNAP and the disk), and a fingerprint — ZooKeeper's
// tree digest plus the session table — to compare replicas at equal zxids. It also remembers
// what it was built from (a snapshot at `baseZxid`, then `entries`) for the history checks.
// Counterpart: ZKDatabase (dataTree, sessionsWithTimeouts, fastForwardDataBase).

import { crc32 } from 'node:zlib';
import { OpCode } from '../../protocol/ops.js';
import { JuteWriter } from '../../protocol/jute/writer.js';
import { DataTree } from '../../server/data/data-tree.js';
import { nodeDigest, treeDigest } from '../../server/data/digest.js';
import type { Znode } from '../../server/data/znode.js';
import { TxnApplier, type ApplyResult } from '../../server/requests/apply.js';
import { decodeTxn, type Txn, type TxnRecord } from '../../server/requests/txn.js';
import { parentOf } from '../../protocol/paths.js';
import { decodeSnapshot, SnapshotEncoder, snapshotTrailer } from '../../server/storage/snapshot-format.js';
import { WatchManager } from '../../server/watches/watch-manager.js';
import type { Entry } from '../../server/zab/types.js';

/** The paths whose node (or parent's Stat) a txn may change. */
function touchedPaths(txn: Txn, tree: DataTree): Set<string> {
  const out = new Set<string>();
  const visit = (r: TxnRecord) => {
    switch (r.type) {
      case OpCode.create: case OpCode.create2: case OpCode.createContainer: case OpCode.createTTL:
      case OpCode.delete: case OpCode.deleteContainer:
        out.add(r.body.path).add(parentOf(r.body.path));
        return;
      case OpCode.setData: case OpCode.setACL:
        out.add(r.body.path);
        return;
      case OpCode.closeSession:
        for (const p of [...r.body.paths2Delete, ...tree.ephemeralsOf(txn.header.clientId)]) out.add(p).add(parentOf(p));
        return;
      case OpCode.multi:
        r.body.forEach(visit);
        return;
      default:
        return;
    }
  };
  visit(txn.record);
  return out;
}

const sessionDigest = (id: bigint, timeout: number): number => crc32(`${id}:${timeout}`);

/** Node digests by znode object; a change to a node always moves one of these Stat fields. */
const digests = new WeakMap<Znode, { mzxid: bigint; pzxid: bigint; version: number; cversion: number; aversion: number; digest: number }>();

function cachedDigest(path: string, n: Znode): number {
  const c = digests.get(n);
  if (c && c.mzxid === n.mzxid && c.pzxid === n.pzxid && c.version === n.version && c.cversion === n.cversion && c.aversion === n.aversion) return c.digest;
  const digest = nodeDigest(path, n);
  digests.set(n, { mzxid: n.mzxid, pzxid: n.pzxid, version: n.version, cversion: n.cversion, aversion: n.aversion, digest });
  return digest;
}

export class Replica {
  zxid: bigint;
  readonly baseZxid: bigint;
  /** Txns applied (or replayed) since the snapshot this replica was loaded from. */
  readonly entries: Entry[] = [];
  private readonly applier: TxnApplier;
  /** ZooKeeper's tree digest, kept up to date txn by txn (exact: node digests are < 2^32). */
  private treeSum = 0;
  private sessionSum = 0;

  private constructor(readonly tree: DataTree, readonly sessions: Map<bigint, number>, zxid: bigint) {
    this.zxid = zxid;
    this.baseZxid = zxid;
    this.applier = new TxnApplier(tree, new WatchManager());
    this.treeSum = Number(treeDigest(tree));
    for (const [id, t] of sessions) this.sessionSum += sessionDigest(id, t);
  }

  /** Loads snapshot bytes (a disk snapshot or a SNAP stream); throws if they do not decode. */
  static fromSnapshot(bytes: Buffer): Replica {
    const s = decodeSnapshot(bytes);
    const tree = DataTree.restore(s.nodes);
    if (!(tree instanceof DataTree)) throw new Error(`snapshot has orphans: ${tree.orphans.join(', ')}`);
    return new Replica(tree, new Map(s.sessions), s.zxid);
  }

  /** A fresh tree at zxid 0 with the given persistent nodes (parents first). */
  static seeded(paths: readonly string[]): Replica {
    const tree = new DataTree();
    for (const p of paths) tree.createNode(p, Buffer.alloc(0), [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], 0n, -1, 0n, 0n);
    return new Replica(tree, new Map(), 0n);
  }

  /** The snapshot format of server/storage: header, sessions, nodes, CRC trailer. */
  snapshotBytes(): Buffer {
    const encoder = new SnapshotEncoder();
    const w = new JuteWriter(4096);
    encoder.header(w, this.zxid, this.sessions);
    for (const [path, node] of this.tree.entries()) encoder.node(w, path, node);
    encoder.end(w);
    const body = Buffer.from(w.bytes());
    return Buffer.concat([body, snapshotTrailer(crc32(body))]);
  }

  /** Applies a committed txn (DataTree.processTxn) and returns the txn and its result. */
  apply(entry: Entry): { txn: Txn; result: ApplyResult } {
    const txn = this.decode(entry);
    let result!: ApplyResult;
    this.digesting(txn, () => (result = this.applier.apply(txn)));
    this.track(txn, entry);
    return { txn, result };
  }

  /** Re-applies a logged txn during recovery (idempotent, as FileTxnSnapLog.processTransaction). */
  replay(entry: Entry): void {
    const txn = this.decode(entry);
    this.digesting(txn, () => this.applier.replay(txn));
    this.track(txn, entry);
  }

  /** Moves the tree digest by what the txn changes in the nodes it touches. */
  private digesting(txn: Txn, change: () => void): void {
    const paths = touchedPaths(txn, this.tree);
    const sum = () => {
      let d = 0;
      for (const p of paths) {
        const node = this.tree.get(p);
        if (node) d += cachedDigest(p, node);
      }
      return d;
    };
    const before = sum();
    change();
    this.treeSum += sum() - before;
  }

  private decode(entry: Entry): Txn {
    if (entry.zxid <= this.zxid) throw new Error(`apply 0x${entry.zxid.toString(16)} over 0x${this.zxid.toString(16)}`);
    const txn = decodeTxn(entry.data);
    if (txn.header.zxid !== entry.zxid) throw new Error(`txn header zxid 0x${txn.header.zxid.toString(16)} in entry 0x${entry.zxid.toString(16)}`);
    return txn;
  }

  private track(txn: Txn, entry: Entry): void {
    const id = txn.header.clientId;
    const old = this.sessions.get(id);
    if (txn.record.type === OpCode.createSession) {
      if (old !== undefined) this.sessionSum -= sessionDigest(id, old);
      this.sessions.set(id, txn.record.body.timeOut);
      this.sessionSum += sessionDigest(id, txn.record.body.timeOut);
    } else if (txn.record.type === OpCode.closeSession && old !== undefined) {
      this.sessions.delete(id);
      this.sessionSum -= sessionDigest(id, old);
    }
    this.zxid = entry.zxid;
    this.entries.push(entry);
  }

  /** Tree digest (ZooKeeper's) and session table, comparable between replicas at equal zxids. */
  fingerprint(): string {
    return `${this.treeSum.toString(16)}/${this.sessionSum.toString(16)}`;
  }

  /** The incremental digest against a full recomputation (server/data's treeDigest). */
  verifyDigest(): string | null {
    const full = Number(treeDigest(this.tree));
    return full === this.treeSum ? null : `incremental digest ${this.treeSum.toString(16)} != full ${full.toString(16)} at 0x${this.zxid.toString(16)}`;
  }

  /** Ephemerals whose owner is not a live session here (must never exist). */
  orphanEphemerals(): string[] {
    const out: string[] = [];
    for (const [owner, paths] of this.tree.ephemeralOwners()) if (!this.sessions.has(owner)) out.push(...paths);
    return out;
  }
}
