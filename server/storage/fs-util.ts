// Small file-system steps the storage code shares: fsync a directory (so a created, renamed or
// deleted file's name is durable) and list a directory that may not exist yet.
// Counterpart: ZooKeeper relies on FileChannel.force and AtomicFileOutputStream for the same.

import { open, readdir } from 'node:fs/promises';

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
