// Startup from disk: the newest snapshot that reads back whole (falling back to older ones),
// then the log from the snapshot's zxid on, replayed idempotently. A torn or zero-filled tail
// of the last segment is cut off at the last valid record; anything else that breaks the chain
// (a bad record with valid ones after it, a hole between zxids, a log with no snapshot under
// it) refuses to start with a StorageError naming the file and offset.
// Counterpart: FileTxnSnapLog.restore + FileSnap.deserialize + FileTxnLog's iterator/truncate.

import { mkdir, readFile, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { OpCode } from '../../protocol/ops.js';
import { counterOf, epochOf, toHexString } from '../../protocol/zxid.js';
import { DataTree } from '../data/data-tree.js';
import { TxnApplier } from '../requests/apply.js';
import type { RecoveredState } from '../requests/recovered-state.js';
import { decodeTxn } from '../requests/txn.js';
import { WatchManager } from '../watches/watch-manager.js';
import { filesOf, type NamedFile, type StorageDirs } from './file-names.js';
import { listDir } from './fs-util.js';
import { scanSegment } from './log-format.js';
import { decodeSnapshot, SnapshotFormatError } from './snapshot-format.js';
import { StorageError } from './storage-error.js';

const hex = (zxid: bigint): string => `0x${toHexString(zxid)}`;

export interface Recovery {
  readonly state: RecoveredState;
  /** The snapshot started from, or undefined for a fresh data directory. */
  readonly snapshot: NamedFile | undefined;
  readonly txnsReplayed: number;
  /** What was repaired or skipped on the way (fallbacks, truncated tails). */
  readonly warnings: string[];
  readonly durationMs: number;
}

/** Does `next` directly follow `prev` in a log (the next counter, or the first of a later epoch)? */
export function follows(prev: bigint, next: bigint): boolean {
  return next === prev + 1n || (epochOf(next) > epochOf(prev) && counterOf(next) === 1n);
}

export async function recover(dirs: StorageDirs): Promise<Recovery> {
  const started = performance.now();
  await mkdir(dirs.snapDir, { recursive: true });
  await mkdir(dirs.logDir, { recursive: true });
  const warnings: string[] = [];
  const snapNames = await listDir(dirs.snapDir);
  for (const name of snapNames.filter((n) => n.startsWith('snapshot.') && n.endsWith('.tmp'))) {
    await unlink(join(dirs.snapDir, name));
    warnings.push(`removed ${name}, a snapshot whose writing never finished`);
  }
  const snapshots = filesOf(snapNames, 'snapshot');
  const segments = filesOf(await listDir(dirs.logDir), 'log');

  const loaded = await loadNewestSnapshot(dirs.snapDir, snapshots, warnings);
  if (loaded === undefined && snapshots.length > 0) {
    throw new StorageError(`no valid snapshot among ${snapshots.map((s) => s.name).join(', ')}; see the warnings above`, dirs.snapDir);
  }
  const tree = loaded?.tree ?? new DataTree();
  const sessions = loaded?.sessions ?? new Map<bigint, number>();
  const snapZxid = loaded?.file.zxid ?? 0n;
  const applier = new TxnApplier(tree, new WatchManager());

  let lastZxid = snapZxid;
  let replayed = 0;
  const first = startSegment(segments, snapZxid);
  let prev: bigint | undefined;
  for (let i = first; i < segments.length; i++) {
    const segment = segments[i]!;
    const path = join(dirs.logDir, segment.name);
    const scan = scanSegment(await readFile(path), segment.zxid);
    const isLast = i === segments.length - 1;
    for (const record of scan.records) {
      if (prev !== undefined ? !follows(prev, record.zxid) : record.zxid !== segment.zxid) {
        const expected = prev === undefined ? `the file's name says ${hex(segment.zxid)}` : `it follows ${hex(prev)}`;
        throw new StorageError(`hole in the txn log: record ${hex(record.zxid)} where ${expected}`, path, record.offset);
      }
      prev = record.zxid;
      if (record.zxid <= snapZxid) continue;
      if (loaded === undefined) {
        throw new StorageError(`the log holds txn ${hex(record.zxid)} but there is no snapshot under it`, path, record.offset);
      }
      if (!follows(lastZxid, record.zxid)) {
        throw new StorageError(
          `the log continues at ${hex(record.zxid)} but the snapshot ends at ${hex(lastZxid)} (missing log or snapshot)`,
          path, record.offset,
        );
      }
      const txn = decodeRecordTxn(record.payload, record.zxid, path, record.offset);
      applier.replay(txn);
      if (txn.header.type === OpCode.createSession && txn.record.type === OpCode.createSession) {
        sessions.set(txn.header.clientId, txn.record.body.timeOut);
      } else if (txn.header.type === OpCode.closeSession) {
        sessions.delete(txn.header.clientId);
      }
      lastZxid = record.zxid;
      replayed++;
    }
    if (scan.problem === undefined) continue;
    const { offset, reason, followedByValidRecord } = scan.problem;
    if (!isLast || followedByValidRecord) {
      const why = followedByValidRecord ? 'valid records follow it, so this is damage, not a torn write' : 'later segments follow it';
      throw new StorageError(`${reason}; ${why}`, path, offset);
    }
    if (scan.records.length === 0 && offset === 0) {
      await unlink(path);
      warnings.push(`removed ${segment.name}: its header never reached the disk`);
    } else {
      await truncate(path, scan.validEnd);
      warnings.push(`truncated ${segment.name} at offset ${scan.validEnd} (${reason}): a write torn by a crash, never acknowledged`);
    }
  }
  return {
    state: { tree, sessions, lastZxid },
    snapshot: loaded?.file,
    txnsReplayed: replayed,
    warnings,
    durationMs: performance.now() - started,
  };
}

/** The segment holding snapZxid + 1: the newest one named at or below it (or the first). */
function startSegment(segments: readonly NamedFile[], snapZxid: bigint): number {
  let start = 0;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.zxid <= snapZxid + 1n) start = i;
  return start;
}

interface LoadedSnapshot {
  readonly file: NamedFile;
  readonly tree: DataTree;
  readonly sessions: Map<bigint, number>;
}

async function loadNewestSnapshot(dir: string, snapshots: readonly NamedFile[], warnings: string[]): Promise<LoadedSnapshot | undefined> {
  for (let i = snapshots.length - 1; i >= 0; i--) {
    const file = snapshots[i]!;
    try {
      const decoded = decodeSnapshot(await readFile(join(dir, file.name)));
      if (decoded.zxid !== file.zxid) throw new SnapshotFormatError(`holds zxid ${hex(decoded.zxid)}, not the one in its name`);
      const tree = DataTree.restore(decoded.nodes);
      if (!(tree instanceof DataTree)) throw new SnapshotFormatError(`nodes without a parent: ${tree.orphans.slice(0, 3).join(', ')}`);
      return { file, tree, sessions: decoded.sessions };
    } catch (e) {
      if (!(e instanceof SnapshotFormatError)) throw e;
      warnings.push(`skipped ${file.name}: ${e.message}; falling back to an older snapshot`);
    }
  }
  return undefined;
}

function decodeRecordTxn(payload: Buffer, zxid: bigint, path: string, offset: number) {
  try {
    const txn = decodeTxn(payload);
    if (txn.header.zxid !== zxid) throw new Error(`txn header says ${hex(txn.header.zxid)}`);
    return txn;
  } catch (e) {
    throw new StorageError(`record ${hex(zxid)} has a valid checksum but does not decode: ${(e as Error).message}`, path, offset);
  }
}
