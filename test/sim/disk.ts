// One member's disk in the simulation: the txn log as real bytes in server/storage's segment
// format (written ≠ synced: group commit fsyncs what was written when it started), the newest
// snapshot in the real snapshot format, and the two epoch files (atomic: durable at once).
// A process crash keeps everything written (the page cache survives); a power loss keeps the
// synced bytes and an arbitrary prefix of the rest, so the last record may be torn. Recovery
// uses the real pieces: scanSegment cuts a torn tail, TxnApplier.replay rebuilds the tree.
// Counterpart: FileTxnLog + FileSnap + the epoch files; recovery as server/storage/recovery.ts.

import { encodeRecord, encodeSegmentHeader, scanSegment } from '../../server/storage/log-format.js';
import type { Entry } from '../../server/zab/types.js';
import { Replica } from './replica.js';
import type { Scheduler } from './scheduler.js';

export type CrashKind = 'process' | 'power';

const epochOf = (zxid: bigint): bigint => zxid >> 32n;

interface RecordEnd {
  readonly zxid: bigint;
  /** Byte offset just past the record. */
  readonly end: number;
  readonly data: Buffer;
}

export interface Recovered {
  readonly replica: Replica;
  readonly lastZxid: bigint;
  /** Bytes cut off a torn tail by recovery. */
  readonly tornBytes: number;
}

export class SimDisk {
  acceptedEpoch = 0n;
  currentEpoch = 0n;
  snapshot: { zxid: bigint; bytes: Buffer };
  private log: Buffer = Buffer.alloc(4096);
  private written = 0;
  private synced = 0;
  private records: RecordEnd[] = [];
  /** Bumped by anything that rewrites the log (truncate, snapshot install, crash). */
  private generation = 0;

  constructor(initialSnapshot: Buffer, initialZxid: bigint) {
    this.snapshot = { zxid: initialZxid, bytes: initialSnapshot };
    this.resetLog();
  }

  private resetLog(): void {
    this.log.fill(0);
    encodeSegmentHeader().copy(this.log, 0);
    this.written = this.synced = encodeSegmentHeader().length;
    this.records = [];
    this.generation++;
  }

  /** Last zxid written (page cache included); the snapshot's when the log is empty. */
  get lastZxid(): bigint {
    return this.records[this.records.length - 1]?.zxid ?? this.snapshot.zxid;
  }

  /** Last zxid whose record is entirely synced. */
  get syncedZxid(): bigint {
    const i = this.lastIndexWhere((r) => r.end <= this.synced);
    return i < 0 ? this.snapshot.zxid : this.records[i]!.zxid;
  }

  /** Binary search over the records (ascending in zxid and offset) for the last one matching. */
  private lastIndexWhere(ok: (r: RecordEnd) => boolean): number {
    let lo = 0, hi = this.records.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ok(this.records[mid]!)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  get hasUnsynced(): boolean {
    return this.written > this.synced;
  }

  /** Appends records (not yet durable). */
  append(entries: readonly Entry[]): void {
    for (const e of entries) {
      const rec = encodeRecord(e.zxid, e.data);
      if (this.written + rec.length > this.log.length) {
        const bigger = Buffer.alloc(Math.max(this.log.length * 2, this.written + rec.length));
        this.log.copy(bigger, 0, 0, this.written);
        this.log = bigger;
      }
      rec.copy(this.log, this.written);
      this.written += rec.length;
      this.records.push({ zxid: e.zxid, end: this.written, data: e.data });
    }
  }

  /** Starts an fsync of what is written now; pass the token to `fsyncDone` when it completes. */
  fsyncStart(): { generation: number; offset: number } {
    return { generation: this.generation, offset: this.written };
  }

  fsyncDone(token: { generation: number; offset: number }): void {
    if (token.generation === this.generation) this.synced = Math.max(this.synced, token.offset);
  }

  /** A synchronous fsync of everything written (before a role is built from the log). */
  fsyncAll(): void {
    this.synced = this.written;
  }

  /** TRUNC: cut the log after `zxid`, durably. False when the snapshot is already past it. */
  truncateTo(zxid: bigint): boolean {
    if (zxid < this.snapshot.zxid) return false;
    const keep = this.records.filter((r) => r.zxid <= zxid);
    const cut = keep[keep.length - 1]?.end ?? encodeSegmentHeader().length;
    this.log.fill(0, cut, this.written);
    this.written = cut;
    this.synced = Math.min(this.synced, cut);
    this.records = keep;
    this.generation++;
    return true;
  }

  /** SNAP: the received tree becomes the newest snapshot and the log starts over after it. */
  installSnapshot(zxid: bigint, bytes: Buffer): void {
    this.snapshot = { zxid, bytes };
    this.resetLog();
  }

  /** Whether the txn is on disk for good: in the snapshot's history, or a synced record. */
  durablyHolds(zxid: bigint): boolean {
    if (zxid <= this.snapshot.zxid) return true;
    const r = this.records[this.lastIndexWhere((x) => x.zxid <= zxid)];
    return r !== undefined && r.zxid === zxid && r.end <= this.synced;
  }

  /** What survives a crash. Returns the bytes lost. */
  crash(kind: CrashKind, s: Scheduler): number {
    this.generation++;
    if (kind === 'process' || this.written === this.synced) return 0;
    const unsynced = this.written - this.synced;
    const mode = s.int(0, 2);
    // 0: nothing unsynced survives; 1: a random byte prefix (may tear a record); 2: whole records.
    let keep = mode === 0 ? this.synced : this.synced + s.int(0, unsynced);
    if (mode === 2) keep = this.records.filter((r) => r.end <= keep).pop()?.end ?? this.synced;
    if (mode === 1 && keep > this.synced && s.chance(0.5)) {
      // A torn sector: the last bytes that made it are garbage.
      for (let i = Math.max(this.synced, keep - 8); i < keep; i++) this.log[i] = s.int(0, 255);
    }
    this.log.fill(0, keep, this.written);
    const lost = this.written - keep;
    this.written = this.synced = keep;
    return lost;
  }

  /** Startup: the snapshot, then every valid record after it; a torn tail is cut off. */
  recover(): Recovered {
    const replica = Replica.fromSnapshot(this.snapshot.bytes);
    const scan = scanSegment(this.log.subarray(0, this.written), this.snapshot.zxid + 1n);
    if (scan.problem?.followedByValidRecord) throw new Error(`sim disk corrupt at ${scan.problem.offset}: ${scan.problem.reason}`);
    const tornBytes = this.written - scan.validEnd;
    this.log.fill(0, scan.validEnd, this.written);
    this.written = scan.validEnd;
    this.synced = Math.min(this.synced, this.written);
    this.records = [];
    let prev = this.snapshot.zxid;
    for (const r of scan.records) {
      // Within an epoch a log has no holes; a new epoch may start anywhere above the last one.
      if (r.zxid <= prev || (epochOf(r.zxid) === epochOf(prev) && r.zxid !== prev + 1n)) {
        throw new Error(`sim log not continuous: 0x${prev.toString(16)} then 0x${r.zxid.toString(16)}`);
      }
      const data = Buffer.from(r.payload);
      replica.replay({ zxid: r.zxid, data });
      this.records.push({ zxid: r.zxid, end: r.offset + 16 + r.payload.length, data });
      prev = r.zxid;
    }
    return { replica, lastZxid: prev, tornBytes };
  }

  /** The logged entries after the snapshot (what the bytes hold; recovery reads them back). */
  entries(): Entry[] {
    return this.records.map((r) => ({ zxid: r.zxid, data: r.data }));
  }
}
