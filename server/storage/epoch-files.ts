// The two epoch files of an ensemble member, beside its snapshots: `acceptedEpoch` (the newest
// epoch it agreed to in discovery) and `currentEpoch` (the newest epoch whose NEWLEADER it
// acked). One ASCII decimal line each, written to a temp file, fsync'ed, renamed over the old
// file, and the directory fsync'ed, so a crash leaves the old value or the new one, never a mix.
// Counterpart: QuorumPeer.readLongFromFile / writeLongToFile (AtomicFileOutputStream) and the
// sanity checks of QuorumPeer.loadDataBase.

import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { epochOf } from '../../protocol/zxid.js';
import { fsyncDir } from './fs-util.js';
import { StorageError } from './storage-error.js';

export const ACCEPTED_EPOCH_FILE = 'acceptedEpoch';
export const CURRENT_EPOCH_FILE = 'currentEpoch';

export type EpochFile = typeof ACCEPTED_EPOCH_FILE | typeof CURRENT_EPOCH_FILE;

/** The value in `dir/name`, or undefined when the file does not exist. */
export async function readEpoch(dir: string, name: EpochFile): Promise<bigint | undefined> {
  const path = join(dir, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const line = text.trim();
  if (!/^\d+$/.test(line)) throw new StorageError(`'${line}' is not an epoch (a non-negative decimal number)`, path);
  return BigInt(line);
}

/** Atomically replaces `dir/name` with `value`; durable when the promise resolves. */
export async function writeEpoch(dir: string, name: EpochFile, value: bigint): Promise<void> {
  const path = join(dir, name);
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(`${value}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await fsyncDir(dir);
}

export interface Epochs {
  acceptedEpoch: bigint;
  currentEpoch: bigint;
  /** Set when the log is ahead of currentEpoch (a learner stopped while syncing). */
  warning?: string;
}

/**
 * Reads both files for a member whose log ends at `lastZxid`. A missing file starts at the
 * epoch of that zxid and is written (as ZooKeeper does on its first quorum start). Refuses,
 * naming the file, a current epoch newer than the accepted one, or a log holding txns of an
 * epoch never accepted. A log ahead of currentEpoch but within acceptedEpoch is what a learner
 * leaves when it stops after logging synced txns and before acking NEWLEADER: the member
 * starts with its old currentEpoch (ZooKeeper refuses to start there).
 */
export async function loadEpochs(dir: string, lastZxid: bigint): Promise<Epochs> {
  const logEpoch = epochOf(lastZxid);
  let currentEpoch = await readEpoch(dir, CURRENT_EPOCH_FILE);
  if (currentEpoch === undefined) {
    currentEpoch = logEpoch;
    await writeEpoch(dir, CURRENT_EPOCH_FILE, currentEpoch);
  }
  let acceptedEpoch = await readEpoch(dir, ACCEPTED_EPOCH_FILE);
  if (acceptedEpoch === undefined) {
    acceptedEpoch = currentEpoch > logEpoch ? currentEpoch : logEpoch;
    await writeEpoch(dir, ACCEPTED_EPOCH_FILE, acceptedEpoch);
  }
  if (acceptedEpoch < currentEpoch) {
    throw new StorageError(`the current epoch ${currentEpoch} is newer than the accepted epoch ${acceptedEpoch}`, join(dir, ACCEPTED_EPOCH_FILE));
  }
  if (logEpoch > acceptedEpoch) {
    throw new StorageError(`the log holds txns of epoch ${logEpoch}, which was never accepted (accepted epoch ${acceptedEpoch})`, join(dir, ACCEPTED_EPOCH_FILE));
  }
  if (logEpoch > currentEpoch) {
    return { acceptedEpoch, currentEpoch, warning: `the log reaches epoch ${logEpoch} but the current epoch is ${currentEpoch}: this member stopped while syncing; keeping ${currentEpoch}` };
  }
  return { acceptedEpoch, currentEpoch };
}
