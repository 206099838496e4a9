// What the client reports to applications: watch notifications (WatchedEvent, delivered to a
// Watcher) and session state changes. Counterpart: org.apache.zookeeper.WatchedEvent, Watcher.

import { EventType, KeeperState } from '../../protocol/index.js';

export interface WatchedEvent {
  readonly type: EventType;
  /** SyncConnected for every server notification. */
  readonly state: KeeperState;
  /** The node's path as this client sees it (chroot stripped). */
  readonly path: string;
  /** ReplyHeader.zxid of the notification: -1 from ZooKeeper <= 3.8 and for events SetWatches synthesizes, the txn zxid from 3.9. Undefined for client-made events. */
  readonly zxid: bigint | undefined;
}

/** A callback that receives watch events for the registrations it was passed to. */
export type Watcher = (event: WatchedEvent) => void;

/**
 * A session state change. `SyncConnected` and `ConnectedReadOnly` follow every (re)connection,
 * `Disconnected` every lost connection; `Expired`, `AuthFailed` and `Closed` are final.
 */
export interface SessionStateEvent {
  readonly state: KeeperState;
  /** "host:port" of the server the client is now connected to (connected states only). */
  readonly server?: string;
  /** The session id at the time of the change. */
  readonly sessionId: bigint;
}

export { EventType, KeeperState };
