// Where the data lives on disk: `<dataDir>/zabkit-1/snapshot.<zxid>` and
// `<dataLogDir>/zabkit-1/log.<zxid>`, the zxid in 16 hex digits (the snapshot's last applied
// txn; a log segment's first txn), so names sort in zxid order.
// Counterpart: FileTxnSnapLog's version-2 directories and Util.makeLogName / makeSnapshotName.

import { join } from 'node:path';

/** The subdirectory that carries this format's version (ZooKeeper's is "version-2"). */
export const FORMAT_DIR = 'zabkit-1';

export interface StorageDirs {
  /** Snapshots (dataDir). */
  readonly snapDir: string;
  /** Txn log segments (dataLogDir, defaulting to dataDir). */
  readonly logDir: string;
}

export function storageDirs(dataDir: string, dataLogDir: string | undefined): StorageDirs {
  return { snapDir: join(dataDir, FORMAT_DIR), logDir: join(dataLogDir ?? dataDir, FORMAT_DIR) };
}

const zxidHex = (zxid: bigint): string => BigInt.asUintN(64, zxid).toString(16).padStart(16, '0');

export const logName = (firstZxid: bigint): string => `log.${zxidHex(firstZxid)}`;
export const snapshotName = (zxid: bigint): string => `snapshot.${zxidHex(zxid)}`;

/** The zxid in a `log.` / `snapshot.` name, or undefined for any other file. */
export function zxidOfName(name: string, prefix: 'log' | 'snapshot'): bigint | undefined {
  const m = new RegExp(`^${prefix}\\.([0-9a-f]{1,16})$`).exec(name);
  return m ? BigInt.asIntN(64, BigInt(`0x${m[1]}`)) : undefined;
}

export interface NamedFile {
  readonly name: string;
  readonly zxid: bigint;
}

/** The `prefix` files among `names`, oldest first. */
export function filesOf(names: readonly string[], prefix: 'log' | 'snapshot'): NamedFile[] {
  const out: NamedFile[] = [];
  for (const name of names) {
    const zxid = zxidOfName(name, prefix);
    if (zxid !== undefined) out.push({ name, zxid });
  }
  return out.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
}
