// Re-arming watches after a reconnect: the watched paths go out as SetWatches (opcode 101) or,
// when a batch holds persistent watches, SetWatches2 (105), all with the client's lastZxidSeen.
// Paths are packed in the order data, exist, child, persistent, recursive into batches whose
// frames stay under 128 KiB, as ZooKeeper's Java client splits them (ZOOKEEPER-706).
// Counterpart: the SetWatches part of ClientCnxn.SendThread.primeConnection.

import { OpCode, opSpec, type SetWatches2 } from '../../protocol/index.js';
import { codecPacket, type Packet } from './packet.js';
import type { WatchRegistry } from './watch-registry.js';

/** Largest frame a SetWatches batch may produce, length prefix included. */
export const SET_WATCHES_MAX_FRAME = 128 * 1024;

/** Length prefix + RequestHeader + relativeZxid + five vector counts. */
const FIXED_BYTES = 4 + 8 + 8 + 5 * 4;

export interface WatchLists {
  data: readonly string[];
  exist: readonly string[];
  child: readonly string[];
  persistent: readonly string[];
  persistentRecursive: readonly string[];
}

export interface SetWatchesBatch {
  readonly opCode: typeof OpCode.setWatches | typeof OpCode.setWatches2;
  readonly body: SetWatches2;
}

export function setWatchesBatches(lists: WatchLists, relativeZxid: bigint, maxFrame = SET_WATCHES_MAX_FRAME): SetWatchesBatch[] {
  const order: Array<[keyof WatchLists, readonly string[]]> = [
    ['data', lists.data], ['exist', lists.exist], ['child', lists.child],
    ['persistent', lists.persistent], ['persistentRecursive', lists.persistentRecursive],
  ];
  const batches: SetWatchesBatch[] = [];
  let current: Record<keyof WatchLists, string[]> | undefined;
  let size = FIXED_BYTES;
  const flush = (): void => {
    if (!current) return;
    const persistentUsed = current.persistent.length > 0 || current.persistentRecursive.length > 0;
    batches.push({
      opCode: persistentUsed ? OpCode.setWatches2 : OpCode.setWatches,
      body: {
        relativeZxid,
        dataWatches: current.data,
        existWatches: current.exist,
        childWatches: current.child,
        persistentWatches: current.persistent,
        persistentRecursiveWatches: current.persistentRecursive,
      },
    });
    current = undefined;
    size = FIXED_BYTES;
  };
  for (const [kind, paths] of order) {
    for (const path of paths) {
      const bytes = 4 + Buffer.byteLength(path, 'utf8');
      if (FIXED_BYTES + bytes > maxFrame) throw new RangeError(`watched path too long for a SetWatches frame: ${path.slice(0, 64)}...`);
      if (current && size + bytes > maxFrame) flush();
      current ??= { data: [], exist: [], child: [], persistent: [], persistentRecursive: [] };
      current[kind].push(path);
      size += bytes;
    }
  }
  flush();
  return batches;
}

/** The SetWatches packets that re-arm every watch in `registry` (paths mapped by `toServer`). */
export function rearmPackets(registry: WatchRegistry, toServer: (path: string) => string, lastZxidSeen: bigint): Packet[] {
  if (registry.isEmpty) return [];
  const lists: WatchLists = {
    data: registry.paths('data').map(toServer),
    exist: registry.paths('exist').map(toServer),
    child: registry.paths('child').map(toServer),
    persistent: registry.paths('persistent').map(toServer),
    persistentRecursive: registry.paths('persistentRecursive').map(toServer),
  };
  const ignore = { onReply: () => undefined, onFail: () => undefined };
  return setWatchesBatches(lists, lastZxidSeen).map((b) => codecPacket(b.opCode, opSpec(b.opCode)!.request, b.body, undefined, ignore));
}
