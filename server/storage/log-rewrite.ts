// The log surgery an ensemble member needs beyond appending: cut the log back to a zxid (TRUNC
// from a new leader: txns it logged but the ensemble never committed), drop the whole log once
// a snapshot received from the leader (SNAP) is durable (the caller has closed the log's open
// segment for both), and read records back: the newest ones (the leader's in-memory committed
// log for DIFF sync) and those from a zxid on (DIFF for a learner further behind than that).
// Counterpart: FileTxnLog.truncate / FileTxnSnapLog.truncateLog, ZKDatabase's committedLog and
// getProposalsFromTxnLog.

import { readFile, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { toHexString } from '../../protocol/zxid.js';
import { filesOf, type StorageDirs } from './file-names.js';
import { fsyncDir, listDir } from './fs-util.js';
import { scanSegment } from './log-format.js';
import { StorageError } from './storage-error.js';

/** One logged txn: its zxid and the exact payload bytes (encodeTxn). */
export interface LoggedTxn {
  zxid: bigint;
  data: Buffer;
}

export interface Truncation {
  /** Records removed from the log. */
  records: number;
  /** Snapshots deleted because they were taken past the truncation point. */
  snapshots: string[];
}

/**
 * Removes every logged txn after `zxid` (segments wholly after it are deleted, the one holding
 * it is cut just past it) and every snapshot newer than `zxid`, then fsyncs the directories.
 * Refuses when no snapshot at or below `zxid` would remain to replay the log from.
 */
export async function truncateLog(dirs: StorageDirs, zxid: bigint): Promise<Truncation> {
  const snapshots = filesOf(await listDir(dirs.snapDir), 'snapshot');
  const keptSnapshots = snapshots.filter((s) => s.zxid <= zxid);
  if (keptSnapshots.length === 0 && snapshots.length > 0) {
    throw new StorageError(`cannot truncate the log to 0x${toHexString(zxid)}: every snapshot is newer`, dirs.snapDir);
  }
  let records = 0;
  for (const segment of filesOf(await listDir(dirs.logDir), 'log')) {
    const path = join(dirs.logDir, segment.name);
    const scan = scanSegment(await readFile(path), segment.zxid);
    const firstAfter = scan.records.findIndex((r) => r.zxid > zxid);
    if (firstAfter < 0) continue;
    records += scan.records.length - firstAfter;
    if (firstAfter === 0) await unlink(path);
    else await truncate(path, scan.records[firstAfter]!.offset);
  }
  const removed = snapshots.filter((s) => s.zxid > zxid).map((s) => s.name);
  for (const name of removed) await unlink(join(dirs.snapDir, name));
  await fsyncDir(dirs.logDir);
  if (dirs.snapDir !== dirs.logDir) await fsyncDir(dirs.snapDir);
  return { records, snapshots: removed };
}

/** Deletes every log segment (a durable snapshot from the leader has replaced their content). */
export async function discardLog(dirs: StorageDirs): Promise<number> {
  const segments = filesOf(await listDir(dirs.logDir), 'log');
  for (const s of segments) await unlink(join(dirs.logDir, s.name));
  await fsyncDir(dirs.logDir);
  return segments.length;
}

/** The newest `count` logged txns, oldest first (fewer when the log is shorter). */
export async function readLogTail(dirs: StorageDirs, count: number): Promise<LoggedTxn[]> {
  const segments = filesOf(await listDir(dirs.logDir), 'log');
  const chunks: LoggedTxn[][] = [];
  let have = 0;
  for (let i = segments.length - 1; i >= 0 && have < count; i--) {
    const segment = segments[i]!;
    const scan = scanSegment(await readFile(join(dirs.logDir, segment.name)), segment.zxid);
    const records = scan.records.map((r) => ({ zxid: r.zxid, data: Buffer.from(r.payload) }));
    chunks.unshift(records);
    have += records.length;
  }
  const all = chunks.flat();
  return all.slice(Math.max(0, all.length - count));
}

/**
 * The logged txns from `fromZxid` on, oldest first, for a leader syncing a learner that is at
 * `fromZxid`: the record at `fromZxid` (or, when there is none, such as a fresh epoch's zxid,
 * the last record before it) proves the log reaches back that far, and every later record up to
 * the end of what is written follows. Undefined when the log does not reach back to `fromZxid`
 * (purged, or it starts later), when a segment vanishes under the read (a purge), or when the
 * payloads from `fromZxid` on exceed `maxBytes` (0: no limit) — the learner then gets a SNAP.
 */
export async function readLogFrom(dirs: StorageDirs, fromZxid: bigint, maxBytes: number): Promise<LoggedTxn[] | undefined> {
  const segments = filesOf(await listDir(dirs.logDir), 'log');
  const first = segments.findLastIndex((s) => s.zxid <= fromZxid);
  if (first < 0) return undefined;
  const out: LoggedTxn[] = [];
  let before: LoggedTxn | undefined;
  let bytes = 0;
  for (const segment of segments.slice(first)) {
    const buf = await readFile(join(dirs.logDir, segment.name)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (buf === undefined) return undefined;
    const scan = scanSegment(buf, segment.zxid);
    for (const r of scan.records) {
      const txn = { zxid: r.zxid, data: Buffer.from(r.payload) };
      if (r.zxid < fromZxid) {
        before = txn;
        continue;
      }
      if (out.length === 0 && r.zxid > fromZxid) {
        if (before === undefined) return undefined;
        out.push(before);
      }
      bytes += r.payload.length;
      if (maxBytes > 0 && bytes > maxBytes) return undefined;
      out.push(txn);
    }
    // A torn or half-written tail: nothing after it belongs to the log yet.
    if (scan.problem) break;
  }
  if (out.length === 0 && before !== undefined) out.push(before);
  return out.length === 0 ? undefined : out;
}
