// The state a member's pipeline starts from at each role: the tree, its sessions and the zxid
// it stands at. Between roles the tree is kept and moved forward over the txns that were
// logged but never applied (proposals still uncommitted when the role ended), so that, as Zab
// requires, a new role starts with the tree exactly at the last logged zxid.
// Counterpart: ZKDatabase kept across QuorumPeer roles, and its reload (loadDataBase).

import { OpCode } from '../../protocol/ops.js';
import { TxnApplier } from '../requests/apply.js';
import type { RequestProcessor } from '../requests/request-processor.js';
import { decodeTxn } from '../requests/txn.js';
import type { LoggedTxn } from '../storage/log-rewrite.js';
import { WatchManager } from '../watches/watch-manager.js';
import type { MemberState } from './quorum-storage.js';

/** The applied state of a pipeline (its tree is shared, not copied). */
export function stateOf(processor: RequestProcessor): MemberState {
  const sessions = new Map<bigint, number>();
  for (const s of processor.sessions.all()) sessions.set(s.id, s.timeoutMs);
  return { tree: processor.tree, sessions, lastZxid: processor.lastProcessedZxid };
}

/** Applies logged txns (all after state.lastZxid, in order) to the state's tree and sessions. */
export function advanceState(state: MemberState, entries: readonly LoggedTxn[]): MemberState {
  if (entries.length === 0) return state;
  const applier = new TxnApplier(state.tree, new WatchManager());
  const sessions = new Map(state.sessions);
  for (const e of entries) {
    const txn = decodeTxn(e.data);
    applier.apply(txn);
    if (txn.header.type === OpCode.createSession && txn.record.type === OpCode.createSession) {
      sessions.set(txn.header.clientId, txn.record.body.timeOut);
    } else if (txn.header.type === OpCode.closeSession) {
      sessions.delete(txn.header.clientId);
    }
  }
  return { tree: state.tree, sessions, lastZxid: entries[entries.length - 1]!.zxid };
}
