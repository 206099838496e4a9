// An ensemble member's disk, as the Zab driver uses it: recovery at start, the txn log with
// group commit (entries from the machines' Readys, already serialized; durability reported
// back in zxid order), the acceptedEpoch / currentEpoch files, TRUNC (cut the log, drop newer
// snapshots, recover again), SNAP (write the received tree as a snapshot, then drop the
// superseded log), the newest logged txns kept in memory for a leader's DIFF sync and older ones
// read back from disk for a learner further behind, fuzzy snapshots every ~snapCount txns, and
// autopurge. Counterpart: FileTxnSnapLog + ZKDatabase (committedLog, getProposalsFromTxnLog,
// calculateTxnLogSizeLimit, truncateLog) + QuorumPeer's epoch files + SyncRequestProcessor's
// snapshots.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataTree } from '../data/data-tree.js';
import { DEFAULT_SNAPSHOT_SIZE_FACTOR } from '../options.js';
import type { Znode } from '../data/znode.js';
import type { RecoveredState } from '../requests/recovered-state.js';
import { loadEpochs, writeEpoch, ACCEPTED_EPOCH_FILE, CURRENT_EPOCH_FILE } from '../storage/epoch-files.js';
import { filesOf, storageDirs, type StorageDirs } from '../storage/file-names.js';
import { listDir } from '../storage/fs-util.js';
import { discardLog, readLogFrom, readLogTail, truncateLog, type LoggedTxn } from '../storage/log-rewrite.js';
import { purge } from '../storage/purge.js';
import { recover } from '../storage/recovery.js';
import { DEFAULT_PACING, writeSnapshot, type SnapshotSource } from '../storage/snapshot-writer.js';
import { TxnLog, type TxnLogStats } from '../storage/txn-log.js';

export interface QuorumStorageOptions {
  readonly dataDir: string;
  readonly dataLogDir?: string | undefined;
  readonly snapCount: number;
  readonly preAllocBytes: number;
  /** fsync.warningthresholdms: a slower durable write of the txn log is logged. */
  readonly fsyncWarningThresholdMs?: number;
  readonly snapRetainCount: number;
  readonly purgeIntervalHours: number;
  /** zookeeper.commitLogCount: logged txns kept in memory for DIFF (500). */
  readonly commitLogCount?: number;
  /**
   * zookeeper.snapshotSizeFactor (0.33): a learner behind the in-memory log is DIFFed from the
   * on-disk log only while those txns weigh at most this fraction of the newest snapshot;
   * negative: never (always SNAP).
   */
  readonly snapshotSizeFactor?: number;
  readonly random: () => number;
  readonly log: (message: string) => void;
}

/** A tree with its sessions at `lastZxid`, as the pipeline starts from it. */
export interface MemberState extends RecoveredState {
  readonly tree: DataTree;
  readonly sessions: Map<bigint, number>;
}

export class QuorumStorage {
  readonly dirs: StorageDirs;
  private readonly log: TxnLog;
  private readonly commitLogCount: number;
  acceptedEpoch = 0n;
  currentEpoch = 0n;
  /** The last zxid handed to the log (durable soon, unless the process dies first). */
  lastLoggedZxid = 0n;
  durableZxid = 0n;
  /** The newest logged txns, oldest first, at most commitLogCount (2x before trimming). */
  private tail: LoggedTxn[] = [];
  private sinceSnapshot = 0;
  private snapshotAfter: number;
  private snapshotting: Promise<void> | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private failed: Error | undefined;
  /** TRUNC or SNAP is rewriting the files: no snapshot or purge may start meanwhile. */
  private rewriting = false;
  /** Set by the driver: told, in zxid order, how far the log is durable. */
  onDurable: (zxid: bigint) => void = () => undefined;
  /** Set by the driver: the log can no longer be written. */
  onFailure: (err: Error) => void = () => undefined;
  /**
   * Set by the driver: a lone txn arriving at an idle log may be written on the event loop's
   * thread (see TxnLog) while no snapshot or sync rewrite shares the disk.
   */
  writeLoneTxnsInline = false;
  /** Set by the driver: what a periodic snapshot writes (the applied tree), if anything. */
  snapshotSource: () => SnapshotSource | undefined = () => undefined;

  private constructor(private readonly o: QuorumStorageOptions) {
    this.dirs = storageDirs(o.dataDir, o.dataLogDir);
    this.commitLogCount = o.commitLogCount ?? 500;
    this.snapshotAfter = this.nextSnapshotAfter();
    this.log = new TxnLog({
      dir: this.dirs.logDir,
      preAllocBytes: o.preAllocBytes,
      slowWriteWarningMs: o.fsyncWarningThresholdMs,
      warn: o.log,
      mayWriteLoneTxnInline: () => this.writeLoneTxnsInline && this.snapshotting === undefined && !this.rewriting,
      onDurable: (zxid) => {
        if (zxid > this.durableZxid) this.durableZxid = zxid;
        this.onDurable(zxid);
      },
      onFailure: (err) => {
        this.failed = err;
        this.o.log(`storage: the txn log failed, nothing more will be acknowledged: ${err.message}`);
        this.onFailure(err);
      },
    });
  }

  /** Group-commit counters and durable-write times (mntr). */
  get txnLogStats(): TxnLogStats {
    return this.log.stats;
  }

  /** Recovers the data directory and reads the epochs; returns the storage and the recovered state. */
  static async open(o: QuorumStorageOptions): Promise<{ storage: QuorumStorage; state: MemberState }> {
    const storage = new QuorumStorage(o);
    const recovery = await recover(storage.dirs);
    for (const w of recovery.warnings) o.log(`storage: ${w}`);
    const { tree, sessions, lastZxid } = recovery.state;
    o.log(`storage: loaded ${recovery.snapshot?.name ?? 'an empty tree'} and replayed ${recovery.txnsReplayed} txns to zxid 0x${lastZxid.toString(16)}`);
    if (recovery.snapshot === undefined) {
      // A base to replay the log from (and to truncate back to).
      await writeSnapshot(storage.dirs.snapDir, { zxid: lastZxid, sessions, nodes: tree.entries() }, { ...DEFAULT_PACING, sliceMs: 50 });
    }
    const epochs = await loadEpochs(storage.dirs.snapDir, lastZxid);
    if (epochs.warning) o.log(`storage: ${epochs.warning}`);
    storage.acceptedEpoch = epochs.acceptedEpoch;
    storage.currentEpoch = epochs.currentEpoch;
    storage.lastLoggedZxid = storage.durableZxid = lastZxid;
    storage.tail = await readLogTail(storage.dirs, storage.commitLogCount);
    if (o.purgeIntervalHours > 0) {
      void storage.purge();
      storage.purgeTimer = setInterval(() => void storage.purge(), o.purgeIntervalHours * 3_600_000);
      storage.purgeTimer.unref();
    }
    return { storage, state: { tree, sessions: new Map(sessions), lastZxid } };
  }

  // ---- the log ----

  /** Queues entries (in zxid order) for the log; `onDurable` reports them. */
  append(entries: readonly LoggedTxn[]): void {
    if (this.failed) throw this.failed;
    for (const e of entries) {
      this.log.append(e.zxid, e.data);
      this.tail.push(e);
      this.lastLoggedZxid = e.zxid;
      if (++this.sinceSnapshot >= this.snapshotAfter) {
        this.sinceSnapshot = 0;
        this.snapshotAfter = this.nextSnapshotAfter();
        this.log.roll();
        setImmediate(() => void this.snapshot());
      }
    }
    if (this.tail.length > 2 * this.commitLogCount) this.tail = this.tail.slice(-this.commitLogCount);
  }

  /** The newest logged txns (at most commitLogCount), for a new leader's DIFF sync. */
  committedLog(): LoggedTxn[] {
    return this.tail.slice(-this.commitLogCount);
  }

  /** The logged txns after `zxid` when memory still holds all of them, else undefined. */
  entriesAfter(zxid: bigint): LoggedTxn[] | undefined {
    if (zxid === this.lastLoggedZxid) return [];
    const at = this.tail.findIndex((e) => e.zxid === zxid);
    return at < 0 ? undefined : this.tail.slice(at + 1);
  }

  /**
   * The logged txns from `fromZxid` on (see readLogFrom), for a learner behind the in-memory
   * log; undefined when txn-log sync is off, the log does not reach back that far, or the txns
   * outweigh snapshotSizeFactor x the newest snapshot (ZKDatabase.calculateTxnLogSizeLimit).
   */
  async readHistory(fromZxid: bigint): Promise<LoggedTxn[] | undefined> {
    const factor = this.o.snapshotSizeFactor ?? DEFAULT_SNAPSHOT_SIZE_FACTOR;
    if (factor < 0) return undefined;
    const newest = filesOf(await listDir(this.dirs.snapDir), 'snapshot').at(-1);
    const snapshotBytes = newest ? (await stat(join(this.dirs.snapDir, newest.name))).size : 0;
    return readLogFrom(this.dirs, fromZxid, Math.floor(snapshotBytes * factor));
  }

  /** Waits until everything appended is durable. */
  drain(): Promise<void> {
    return this.log.drain();
  }

  // ---- epochs ----

  async setAcceptedEpoch(epoch: bigint): Promise<void> {
    await writeEpoch(this.dirs.snapDir, ACCEPTED_EPOCH_FILE, epoch);
    this.acceptedEpoch = epoch;
  }

  async setCurrentEpoch(epoch: bigint): Promise<void> {
    await writeEpoch(this.dirs.snapDir, CURRENT_EPOCH_FILE, epoch);
    this.currentEpoch = epoch;
  }

  // ---- sync from a leader ----

  /** TRUNC: the log ends at `zxid` from now on; returns the state recovered from disk there. */
  async truncate(zxid: bigint): Promise<MemberState> {
    return this.rewrite(async () => {
      const cut = await truncateLog(this.dirs, zxid);
      this.o.log(`storage: truncated the log to 0x${zxid.toString(16)} (${cut.records} txns removed${cut.snapshots.length > 0 ? `, ${cut.snapshots.join(', ')} deleted` : ''})`);
      return this.reload();
    });
  }

  /** Runs `step` with the log's segment closed and no snapshot or purge under way. */
  private async rewrite<T>(step: () => Promise<T>): Promise<T> {
    this.rewriting = true;
    try {
      await this.snapshotting;
      await this.log.detach();
      return await step();
    } finally {
      this.rewriting = false;
    }
  }

  /**
   * SNAP: the leader's tree (at `zxid`) replaces ours. It is written as a snapshot and made
   * durable first; only then is the old log, which it supersedes, deleted.
   */
  async installSnapshot(zxid: bigint, sessions: ReadonlyMap<bigint, number>, nodes: Iterator<[string, Znode]>): Promise<void> {
    await this.rewrite(async () => {
      await writeSnapshot(this.dirs.snapDir, { zxid, sessions, nodes }, { ...DEFAULT_PACING, sliceMs: 50 });
      const segments = await discardLog(this.dirs);
      this.o.log(`storage: installed the leader's snapshot at 0x${zxid.toString(16)} (${segments} old log segments deleted)`);
      this.tail = [];
      this.sinceSnapshot = 0;
      this.lastLoggedZxid = this.durableZxid = zxid;
    });
  }

  /** Drains the log and rebuilds the state from disk (snapshot + replay). */
  async reload(): Promise<MemberState> {
    await this.log.drain();
    const recovery = await recover(this.dirs);
    for (const w of recovery.warnings) this.o.log(`storage: ${w}`);
    const { tree, sessions, lastZxid } = recovery.state;
    this.tail = await readLogTail(this.dirs, this.commitLogCount);
    this.lastLoggedZxid = this.durableZxid = lastZxid;
    return { tree, sessions: new Map(sessions), lastZxid };
  }

  // ---- snapshots and purge ----

  private nextSnapshotAfter(): number {
    const half = Math.max(1, Math.floor(this.o.snapCount / 2));
    return half + Math.floor(this.o.random() * half);
  }

  /** A fuzzy snapshot of the applied tree, unless one is being written. */
  snapshot(): Promise<void> {
    if (this.snapshotting) return this.snapshotting;
    if (this.rewriting) return Promise.resolve();
    const source = this.snapshotSource();
    if (!source) return Promise.resolve();
    this.snapshotting = writeSnapshot(this.dirs.snapDir, source).then(
      (written) => this.o.log(`storage: wrote ${written.name} (${written.nodeRecords} nodes)`),
      (err: Error) => this.o.log(`storage: snapshot failed: ${err.message}`),
    ).finally(() => {
      this.snapshotting = undefined;
    });
    return this.snapshotting;
  }

  private async purge(): Promise<void> {
    try {
      if (this.rewriting) return;
      await this.snapshotting;
      const plan = await purge(this.dirs, this.o.snapRetainCount);
      const removed = [...plan.snapshots, ...plan.segments].map((f) => f.name);
      if (removed.length > 0) this.o.log(`storage: purged ${removed.join(', ')}`);
    } catch (e) {
      this.o.log(`storage: purge failed: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.log.close();
    await this.snapshotting;
  }
}
