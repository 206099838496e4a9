// The txn log writer: appends framed records to the current segment with group commit: at most
// one durable write in flight, and everything appended meanwhile rides the next one. A txn is
// reported durable only once its write is on disk: segments are opened O_DSYNC, so the write
// returns only after the data is (as write + fdatasync, in one trip to libuv's thread pool instead
// of two: measured here, a lower and tighter latency for one-at-a-time writes); where O_DSYNC
// does not exist, write then fdatasync. Segments are preallocated in `preAllocBytes` steps and
// rolled on request (at snapshots). Nothing here blocks the event loop.
// Counterpart: FileTxnLog (append, commit, rollLog, preAllocSize) + SyncRequestProcessor's batching.

import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AvgMinMax } from '../metrics/avg-min-max.js';
import { encodeRecordHeader, encodeSegmentHeader, RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from './log-format.js';
import { logName } from './file-names.js';
import { fsyncDir } from './fs-util.js';

export interface TxnLogOptions {
  readonly dir: string;
  /** Segments grow in steps of this many bytes (zookeeper.preAllocSize, 64 MiB by default). */
  readonly preAllocBytes: number;
  /** Called, in zxid order, with the newest zxid made durable by each durable write. */
  readonly onDurable: (zxid: bigint) => void;
  /** A write or sync failed: nothing more can be acknowledged. */
  readonly onFailure: (err: Error) => void;
  /** A durable write slower than this is logged (fsync.warningthresholdms; 1000 by default). */
  readonly slowWriteWarningMs?: number;
  /** Where that warning goes. */
  readonly warn?: (message: string) => void;
}

/** Counters for figures and four-letter words. */
export interface TxnLogStats {
  bytes: number;
  /** Whole milliseconds each durable write took, as ZooKeeper's fsynctime (mntr *_fsynctime). */
  readonly syncMs: AvgMinMax;
  /**
   * Txns per durable write (one per group commit), as ZooKeeper's sync_processor_batch_size:
   * its count is the durable writes, its total the txns, its max the largest group commit.
   */
  readonly batchSize: AvgMinMax;
}

/** ZooKeeper's default fsync.warningthresholdms. */
export const DEFAULT_SLOW_WRITE_WARNING_MS = 1000;

/** Synchronous data writes where the platform has them (Linux, macOS); 0 elsewhere. */
const O_DSYNC: number = constants.O_DSYNC ?? 0;
const SEGMENT_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | O_DSYNC;

interface Segment {
  readonly handle: FileHandle;
  readonly name: string;
  position: number;
  allocated: number;
}

export class TxnLog {
  private segment: Segment | undefined;
  /** Record headers and payloads, alternating, written with one writev. */
  private queue: Buffer[] = [];
  private queueBytes = 0;
  private firstQueuedZxid = 0n;
  private queueZxid = 0n;
  private flushing: Promise<void> | undefined;
  private rollRequested = false;
  private failed: Error | undefined;
  private closed = false;
  readonly stats: TxnLogStats = { bytes: 0, syncMs: new AvgMinMax(), batchSize: new AvgMinMax() };

  constructor(private readonly options: TxnLogOptions) {}

  /** Queues one txn; `onDurable` reports it once it is on disk. */
  append(zxid: bigint, payload: Buffer): void {
    if (this.closed) throw new Error('txn log is closed');
    if (this.failed) return;
    if (this.queue.length === 0) this.firstQueuedZxid = zxid;
    this.queue.push(encodeRecordHeader(zxid, payload), payload);
    this.queueBytes += RECORD_HEADER_BYTES + payload.length;
    this.queueZxid = zxid;
    if (!this.flushing) this.flushing = this.flushLoop();
  }

  /** The next append starts a new segment (named after its first zxid). */
  roll(): void {
    this.rollRequested = true;
  }

  /** Txns queued or being written, not yet reported durable. */
  get busy(): boolean {
    return this.flushing !== undefined;
  }

  /**
   * Writes batch after batch while anything is queued. A finished batch is reported durable only
   * after the next one's write is under way: applying and answering a big batch takes the event
   * loop for a while, and the disk should not sit idle meanwhile.
   */
  private async flushLoop(): Promise<void> {
    try {
      let finished: bigint | undefined;
      for (;;) {
        const writing = this.queue.length > 0 && !this.failed ? this.writeNext() : undefined;
        // Awaited below; this only keeps its failure handled should onDurable throw first.
        writing?.catch(() => undefined);
        if (finished !== undefined) this.options.onDurable(finished);
        finished = undefined;
        if (writing) finished = await writing;
        else if (this.queue.length === 0 || this.failed) break; // onDurable may have appended more
      }
    } catch (e) {
      this.failed = e as Error;
      this.options.onFailure(this.failed);
    } finally {
      this.flushing = undefined;
    }
  }

  /** Writes everything queued as one durable write; resolves with its last zxid. */
  private async writeNext(): Promise<bigint> {
    const batch = this.queue;
    const bytes = this.queueBytes;
    const lastZxid = this.queueZxid;
    this.queue = [];
    this.queueBytes = 0;
    await this.writeAndSync(batch, bytes, this.firstQueuedZxid);
    this.stats.batchSize.record(batch.length / 2);
    return lastZxid;
  }

  private async writeAndSync(batch: Buffer[], bytes: number, firstZxid: bigint): Promise<void> {
    if (this.rollRequested || this.segment === undefined) {
      await this.closeSegment();
      this.segment = await this.createSegment(firstZxid);
      this.rollRequested = false;
    }
    const segment = this.segment;
    const end = segment.position + bytes;
    if (end > segment.allocated) {
      const step = this.options.preAllocBytes;
      segment.allocated = Math.ceil(end / step) * step;
      await segment.handle.truncate(segment.allocated);
    }
    const started = performance.now();
    await writeAll(segment.handle, batch, segment.position);
    segment.position = end;
    this.stats.bytes += bytes;
    if (O_DSYNC === 0) await segment.handle.datasync();
    this.recordSyncTime(performance.now() - started, segment);
  }

  /** The time is as the event loop saw it: the disk's, plus any wait for the loop to notice. */
  private recordSyncTime(ms: number, segment: Segment): void {
    this.stats.syncMs.record(Math.floor(ms));
    const threshold = this.options.slowWriteWarningMs ?? DEFAULT_SLOW_WRITE_WARNING_MS;
    if (ms > threshold) {
      this.options.warn?.(`storage: a durable write to ${segment.name} took ${ms.toFixed(0)} ms (over fsync.warningthresholdms=${threshold}); every request in its batch waited that long. The segment is ${segment.position} bytes. A slow or shared disk is the usual cause: give the txn log (dataLogDir) a device of its own`);
    }
  }

  private async createSegment(firstZxid: bigint): Promise<Segment> {
    const name = logName(firstZxid);
    const handle = await open(join(this.options.dir, name), SEGMENT_FLAGS);
    const header = encodeSegmentHeader();
    await handle.write(header, 0, header.length, 0);
    await handle.truncate(this.options.preAllocBytes);
    await handle.sync();
    await fsyncDir(this.options.dir);
    return { handle, name, position: SEGMENT_HEADER_BYTES, allocated: this.options.preAllocBytes };
  }

  private async closeSegment(): Promise<void> {
    const segment = this.segment;
    this.segment = undefined;
    await segment?.handle.close();
  }

  /** Waits for everything appended so far to be durable (or to fail). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Drains and closes the current segment without closing the log: the next append starts a
   * new segment. Needed before the files are cut back (TRUNC) or dropped (SNAP).
   */
  async detach(): Promise<void> {
    await this.drain();
    await this.closeSegment();
  }

  /** Drains, then closes the current segment. */
  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    await this.closeSegment();
  }
}

/** writev until every byte is written (a regular file may take a batch in several parts). */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  for (let at = position; rest.length > 0;) {
    let { bytesWritten } = await handle.writev(rest, at);
    at += bytesWritten;
    let i = 0;
    while (i < rest.length && bytesWritten >= rest[i]!.length) bytesWritten -= rest[i++]!.length;
    rest = rest.slice(i);
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}
