// Deletes what recovery can no longer need: all but the newest `retain` snapshots, and the log
// segments that end before the oldest retained snapshot. The segment holding the txn right
// after that snapshot is kept. Counterpart: PurgeTxnLog.purge (autopurge.snapRetainCount),
// run by DatadirCleanupManager every autopurge.purgeInterval hours.

import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { filesOf, type NamedFile, type StorageDirs } from './file-names.js';
import { listDir } from './fs-util.js';

/** ZooKeeper never keeps fewer than three snapshots. */
export const MIN_SNAP_RETAIN_COUNT = 3;

export interface PurgePlan {
  readonly snapshots: NamedFile[];
  readonly segments: NamedFile[];
}

/** Pure: which files to delete. */
export function planPurge(snapshots: readonly NamedFile[], segments: readonly NamedFile[], retain: number): PurgePlan {
  const keep = Math.max(retain, MIN_SNAP_RETAIN_COUNT);
  if (snapshots.length <= keep) return { snapshots: [], segments: [] };
  const oldestKept = snapshots[snapshots.length - keep]!.zxid;
  // The newest segment that starts at or before oldestKept + 1 still holds txns replay needs.
  let firstNeeded = segments.length;
  for (let i = 0; i < segments.length; i++) {
    if (segments[i]!.zxid <= oldestKept + 1n) firstNeeded = i;
  }
  if (firstNeeded === segments.length) firstNeeded = 0;
  return { snapshots: snapshots.slice(0, snapshots.length - keep), segments: segments.slice(0, firstNeeded) };
}

export async function purge(dirs: StorageDirs, retain: number): Promise<PurgePlan> {
  const snapshots = filesOf(await listDir(dirs.snapDir), 'snapshot');
  const segments = filesOf(await listDir(dirs.logDir), 'log');
  const plan = planPurge(snapshots, segments, retain);
  for (const s of plan.snapshots) await unlink(join(dirs.snapDir, s.name));
  for (const s of plan.segments) await unlink(join(dirs.logDir, s.name));
  return plan;
}
