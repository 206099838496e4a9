// The txn log writer: appends framed records to the current segment with group commit: at most
// one durable write in flight, and everything appended meanwhile rides the next one. A txn is
// reported durable only once its write is on disk: segments are opened O_DSYNC, so the write
// returns only after the data is (as write + fdatasync, in one trip to libuv's thread pool instead
// of two: measured here, a lower and tighter latency for one-at-a-time writes); where O_DSYNC
// does not exist, write then fdatasync. Segments are preallocated in `preAllocBytes` steps and
// rolled on request (at snapshots). Writes run on the thread pool, with one exception the owner
// opts into: a txn that arrives at an idle log and is still alone at the end of that turn of the
// event loop, while the owner says nothing else is going on, is written on the loop's own thread
// (no round trip through the pool; a slow one turns this off for a while).
// Counterpart: FileTxnLog (append, commit, rollLog, preAllocSize) + SyncRequestProcessor's batching.

import { constants, fdatasyncSync, writevSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as endOfTurn } from 'node:timers/promises';
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
  /**
   * Asked when a txn arrives at an idle log: is the server quiet enough that, should the txn still
   * be alone at the end of this turn of the event loop, it may be written on the loop's own
   * thread? Unset: never (every write goes through the thread pool at once).
   */
  readonly mayWriteLoneTxnInline?: () => boolean;
  /** The clock lone writes are timed and paused by (performance.now by default; tests step it). */
  readonly now?: () => number;
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
  /** Durable writes of a lone txn done on the event loop's thread. */
  loneWritesInline: number;
}

/** ZooKeeper's default fsync.warningthresholdms. */
export const DEFAULT_SLOW_WRITE_WARNING_MS = 1000;

/**
 * A lone write on the event loop that took longer than this many ms (the bench's event-loop lag
 * target) sends lone writes back to the thread pool for LONE_WRITE_PAUSE_FACTOR times as long:
 * slow lone writes then hold the loop at most 0.5% of the time (a 5 ms one pauses them for 1 s),
 * and a disk that stays slow is kept off the loop while one hiccup costs little.
 */
export const LONE_WRITE_SLOW_MS = 5;
export const LONE_WRITE_PAUSE_FACTOR = 200;

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
  /** The time (by `now`) before which no lone write goes on the event loop (one was slow). */
  private inlinePausedUntil = 0;
  readonly stats: TxnLogStats = { bytes: 0, syncMs: new AvgMinMax(), batchSize: new AvgMinMax(), loneWritesInline: 0 };

  private readonly now: () => number;

  constructor(private readonly options: TxnLogOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Queues one txn; `onDurable` reports it once it is on disk. */
  append(zxid: bigint, payload: Buffer): void {
    if (this.closed) throw new Error('txn log is closed');
    if (this.failed) return;
    if (this.queue.length === 0) this.firstQueuedZxid = zxid;
    this.queue.push(encodeRecordHeader(zxid, payload), payload);
    this.queueBytes += RECORD_HEADER_BYTES + payload.length;
    this.queueZxid = zxid;
    if (!this.flushing) {
      const inline = this.options.mayWriteLoneTxnInline;
      this.flushing = inline !== undefined && inline() && this.now() >= this.inlinePausedUntil
        ? this.flushAtEndOfTurn()
        : this.flushLoop();
    }
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

  /**
   * Lets the rest of this turn's appends join, then writes a txn that is still alone on the event
   * loop's thread (one write call, no hand-off to the pool and no wake-up when it is done), or
   * else everything queued as usual.
   */
  private async flushAtEndOfTurn(): Promise<void> {
    await endOfTurn();
    try {
      this.writeLoneTxnInline();
    } catch (e) {
      this.failed = e as Error;
      this.options.onFailure(this.failed);
    }
    return this.flushLoop();
  }

  private writeLoneTxnInline(): void {
    const segment = this.segment;
    const end = (segment?.position ?? 0) + this.queueBytes;
    if (this.queue.length !== 2 || this.failed || this.rollRequested || !segment || end > segment.allocated) return;
    if (!this.options.mayWriteLoneTxnInline!()) return;
    const batch = this.queue;
    const zxid = this.queueZxid;
    this.queue = [];
    this.queueBytes = 0;
    const started = this.now();
    writeAllSync(segment.handle.fd, batch, segment.position);
    if (O_DSYNC === 0) fdatasyncSync(segment.handle.fd);
    this.stats.bytes += end - segment.position;
    segment.position = end;
    const done = this.now();
    const ms = done - started;
    if (ms > LONE_WRITE_SLOW_MS) this.inlinePausedUntil = done + LONE_WRITE_PAUSE_FACTOR * ms;
    this.recordSyncTime(ms, segment);
    this.stats.batchSize.record(1);
    this.stats.loneWritesInline++;
    this.options.onDurable(zxid);
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
function writeAllSync(fd: number, buffers: Buffer[], position: number): void {
  let rest = buffers;
  for (let at = position; rest.length > 0;) {
    const written = writevSync(fd, rest, at);
    at += written;
    rest = unwritten(rest, written);
  }
}

/** The same, on the thread pool. */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  for (let at = position; rest.length > 0;) {
    const { bytesWritten } = await handle.writev(rest, at);
    at += bytesWritten;
    rest = unwritten(rest, bytesWritten);
  }
}

/** What is left of `buffers` after a write took its first `written` bytes. */
function unwritten(buffers: Buffer[], written: number): Buffer[] {
  let i = 0;
  while (i < buffers.length && written >= buffers[i]!.length) written -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (written > 0) rest[0] = rest[0]!.subarray(written);
  return rest;
}
