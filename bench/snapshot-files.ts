// Counts the snapshots a server has written: files named snapshot.<hex zxid> in its dataDir's
// format directory (version-2 for Apache ZooKeeper, zabkit-1 for zabkit). Counted before and after
// a measured window, the difference says how many snapshots fell inside it. ZooKeeper writes a
// snapshot under its final name from the start, zabkit renames it into place once complete, so a
// snapshot still being written when the window closes counts for ZooKeeper only.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SNAPSHOT_NAME = /^snapshot\.[0-9a-f]+$/;

async function entries(dir: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Snapshot files in the format directories directly under each of `dataDirs`, summed. */
export async function countSnapshots(dataDirs: readonly string[]): Promise<number> {
  let count = 0;
  for (const dataDir of dataDirs) {
    for (const sub of await entries(dataDir)) {
      if (!sub.isDirectory()) continue;
      for (const f of await entries(join(dataDir, sub.name))) if (f.isFile() && SNAPSHOT_NAME.test(f.name)) count++;
    }
  }
  return count;
}
