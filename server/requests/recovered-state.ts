// What a server starts from after reading its disk: the tree, the live sessions and the last
// applied zxid. server/storage produces it; the request pipeline starts from it.
// Counterpart: ZKDatabase after FileTxnSnapLog.restore (dataTree, sessionsWithTimeouts).

import type { DataTree } from '../data/data-tree.js';

export interface RecoveredState {
  readonly tree: DataTree;
  /** Session id → negotiated timeout (ms) of every session open at `lastZxid`. */
  readonly sessions: ReadonlyMap<bigint, number>;
  readonly lastZxid: bigint;
}
