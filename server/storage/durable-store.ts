// The storage a durable server runs on: recovery at open, the txn log as the request pipeline's
// TxnSink (each txn serialized once, acknowledged after fdatasync, applied in paced slices), a
// fuzzy snapshot every ~snapCount txns (randomised so an ensemble's members don't all snapshot
// at once), and autopurge. Counterpart: FileTxnSnapLog + SyncRequestProcessor + DatadirCleanupManager.

import { performance } from 'node:perf_hooks';
import type { RequestProcessor, TxnSink } from '../requests/request-processor.js';
import { encodeTxn, type Txn } from '../requests/txn.js';
import { ApplyPacing } from './apply-pacing.js';
import { storageDirs, type StorageDirs } from './file-names.js';
import { purge } from './purge.js';
import { recover, type Recovery } from './recovery.js';
import { DEFAULT_PACING, writeSnapshot, type SnapshotPacing, type SnapshotWritten } from './snapshot-writer.js';
import { TxnLog } from './txn-log.js';

export interface StorageOptions {
  readonly dataDir: string;
  readonly dataLogDir?: string | undefined;
  /** zookeeper.snapCount: a snapshot every snapCount/2 + random(snapCount/2) txns. */
  readonly snapCount: number;
  /** zookeeper.preAllocSize in bytes. */
  readonly preAllocBytes: number;
  /** autopurge.snapRetainCount (at least 3). */
  readonly snapRetainCount: number;
  /** autopurge.purgeInterval in hours; 0 disables purging. */
  readonly purgeIntervalHours: number;
  /** fsync.warningthresholdms: a slower durable write of the txn log is logged. */
  readonly fsyncWarningThresholdMs?: number;
  /** Uniform in [0, 1): the snapCount randomisation. */
  readonly random: () => number;
  readonly log: (message: string) => void;
  /** How snapshots share the event loop (tests use tiny slices to force fuzziness). */
  readonly snapshotPacing?: SnapshotPacing;
}

export interface StorageStats {
  snapshots: number;
  lastSnapshot: SnapshotWritten | undefined;
  snapshotsSkipped: number;
}

export class DurableStore implements TxnSink {
  readonly dirs: StorageDirs;
  readonly log: TxnLog;
  readonly stats: StorageStats = { snapshots: 0, lastSnapshot: undefined, snapshotsSkipped: 0 };
  private processor: RequestProcessor | undefined;
  private pacing: ApplyPacing | undefined;
  private sinceSnapshot = 0;
  private snapshotAfter: number;
  private snapshotting: Promise<SnapshotWritten | undefined> | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private onFailure: (err: Error) => void = () => undefined;

  private constructor(private readonly options: StorageOptions) {
    this.dirs = storageDirs(options.dataDir, options.dataLogDir);
    this.snapshotAfter = this.nextSnapshotAfter();
    this.log = new TxnLog({
      dir: this.dirs.logDir,
      preAllocBytes: options.preAllocBytes,
      onDurable: (zxid) => this.pacing?.durable(zxid),
      onFailure: (err) => this.fail(err),
      slowWriteWarningMs: options.fsyncWarningThresholdMs,
      warn: options.log,
      // Alone in a turn, at an idle log, nothing to wait behind it: no thread-pool round trip,
      // unless a snapshot is sharing the disk (its writes can hold one up for 100+ ms).
      mayWriteLoneTxnInline: () => this.snapshotting === undefined,
    });
  }

  /** Recovers the data directory (writing a first snapshot if it is new or replayed txns). */
  static async open(options: StorageOptions): Promise<{ store: DurableStore; recovery: Recovery }> {
    const store = new DurableStore(options);
    const recovery = await recover(store.dirs);
    for (const w of recovery.warnings) options.log(`storage: ${w}`);
    options.log(
      `storage: loaded ${recovery.snapshot?.name ?? 'an empty tree'} and replayed ${recovery.txnsReplayed} txns ` +
      `to zxid 0x${recovery.state.lastZxid.toString(16)} in ${recovery.durationMs.toFixed(0)} ms`,
    );
    if (recovery.snapshot === undefined || recovery.txnsReplayed > 0) {
      const { tree, sessions, lastZxid } = recovery.state;
      await writeSnapshot(store.dirs.snapDir, { zxid: lastZxid, sessions, nodes: tree.entries() }, { ...DEFAULT_PACING, sliceMs: 50 });
    }
    return { store, recovery };
  }

  /** Connects the pipeline the log reports to, and the clock it is told the time by. */
  attach(processor: RequestProcessor, now: () => number, onFailure: (err: Error) => void): void {
    this.processor = processor;
    this.pacing = new ApplyPacing(processor, now);
    this.onFailure = onFailure;
    if (this.options.purgeIntervalHours > 0) {
      void this.purge();
      this.purgeTimer = setInterval(() => void this.purge(), this.options.purgeIntervalHours * 3_600_000);
      this.purgeTimer.unref();
    }
  }

  // ---- TxnSink ----

  append(txn: Txn): boolean {
    if (this.failure) throw this.failure;
    this.log.append(txn.header.zxid, encodeTxn(txn));
    if (++this.sinceSnapshot >= this.snapshotAfter) {
      this.sinceSnapshot = 0;
      this.snapshotAfter = this.nextSnapshotAfter();
      this.log.roll();
      setImmediate(() => void this.snapshot());
    }
    return false;
  }

  private nextSnapshotAfter(): number {
    const half = Math.max(1, Math.floor(this.options.snapCount / 2));
    return half + Math.floor(this.options.random() * half);
  }

  // ---- snapshots and purge ----

  /** Writes a fuzzy snapshot of the applied tree now; skipped if one is being written. */
  snapshot(): Promise<SnapshotWritten | undefined> {
    const processor = this.processor;
    if (!processor) return Promise.resolve(undefined);
    if (this.snapshotting) {
      this.stats.snapshotsSkipped++;
      this.options.log('storage: still writing the previous snapshot; skipping this one');
      return this.snapshotting;
    }
    const sessions = new Map<bigint, number>();
    for (const s of processor.sessions.all()) sessions.set(s.id, s.timeoutMs);
    const source = { zxid: processor.lastProcessedZxid, sessions, nodes: processor.tree.entries() };
    const started = performance.now();
    this.snapshotting = writeSnapshot(this.dirs.snapDir, source, this.options.snapshotPacing).then(
      (written) => {
        this.stats.snapshots++;
        this.stats.lastSnapshot = written;
        this.options.log(`storage: wrote ${written.name} (${written.nodeRecords} nodes, ${written.bytes} bytes) in ${(performance.now() - started).toFixed(0)} ms`);
        return written;
      },
      (err: Error) => {
        this.options.log(`storage: snapshot failed: ${err.message}`);
        return undefined;
      },
    ).finally(() => {
      this.snapshotting = undefined;
    });
    return this.snapshotting;
  }

  async purge(): Promise<void> {
    try {
      const plan = await purge(this.dirs, this.options.snapRetainCount);
      const removed = [...plan.snapshots, ...plan.segments].map((f) => f.name);
      if (removed.length > 0) this.options.log(`storage: purged ${removed.join(', ')}`);
    } catch (e) {
      this.options.log(`storage: purge failed: ${(e as Error).message}`);
    }
  }

  private fail(err: Error): void {
    this.failure = err;
    this.options.log(`storage: the txn log failed, nothing more will be acknowledged: ${err.message}`);
    this.onFailure(err);
  }

  /** Resolves once everything appended so far is durable and applied (or the log failed). */
  async settled(): Promise<void> {
    await this.log.drain();
    await this.pacing?.idle();
  }

  /** Makes everything appended durable and applied, waits for a running snapshot, and closes the log. */
  async close(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.log.close();
    await this.pacing?.idle();
    await this.snapshotting;
  }
}
