// What the request pipeline needs of a client connection: its identity (session, auth ids,
// address), a way to send frames and to close, and the Watcher role. net/ implements it.
// Counterpart: org.apache.zookeeper.server.ServerCnxn (as seen by the request processors).

import type { Id } from '../../protocol/records.js';
import type { Watcher } from '../watches/watch-manager.js';

export interface ClientChannel extends Watcher {
  readonly remoteIp: string;
  sessionId: bigint;
  readonly authIds: Id[];
  /** Queues a complete frame (reply or notification) for the client. */
  send(frame: Buffer): void;
  /** Closes the connection after the queued frames are written. */
  close(reason: string): void;
  /** Called for each request answered: op name code, xid and zxid (for cons / stats). */
  recordReply?(lop: string, xid: number, zxid: bigint): void;
}
