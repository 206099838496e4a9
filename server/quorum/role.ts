// What a role (leader, follower, observer) and the peer that runs it need of each other. A role
// owns its Zab machine, its links and its request pipeline for one epoch; the peer owns
// everything that outlives roles (election, storage, client port, timers, the serial queue
// every input goes through) and decides when a role starts, serves and ends.
// Counterpart: QuorumPeer's run loop around Leader.lead / Follower.followLeader / Observer.observeLeader.

import type { QuorumConfig } from '../zab/quorum-config.js';
import type { ServerOptions } from '../options.js';
import type { RequestProcessor } from '../requests/request-processor.js';
import type { PeerEndpoint } from './election-links.js';
import type { QuorumStorage } from './quorum-storage.js';
import type { SerialQueue } from './serial-queue.js';

export type RoleKind = 'leader' | 'follower' | 'observer';

export interface RoleHost {
  readonly myid: bigint;
  readonly config: QuorumConfig;
  readonly options: ServerOptions;
  readonly storage: QuorumStorage;
  /** Every input of every role runs through this queue, in arrival order. */
  readonly queue: SerialQueue;
  /** The quorum port (host, port) of a configured member. */
  quorumEndpoint(sid: bigint): PeerEndpoint;
  /** The processor options the pipelines are built with (tickTime, session limits, myid). */
  now(): number;
  log(message: string): void;
  /** `role` may now serve clients through `role.processor`. */
  serve(role: Role): void;
  /** `role` is over (abandoned, or its links broke): back to looking for a leader. */
  end(role: Role, reason: string): void;
  /** A learner was synced by DIFF, TRUNC or SNAP (counted for tests and logs). */
  noteSync(kind: SyncKind): void;
}

export type SyncKind = 'DIFF' | 'TRUNC' | 'SNAP';

/** How big the proposals a leader sent were, in bytes (-1 before the first). */
export interface ProposalSizes {
  last: number;
  min: number;
  max: number;
}

export interface Role {
  readonly kind: RoleKind;
  /** The pipeline clients are served by (replaced during a learner's TRUNC / SNAP sync). */
  readonly processor: RequestProcessor;
  /** Processes what the machine produced when it was built. */
  start(): void | Promise<void>;
  tick(): void | Promise<void>;
  /** The txn log is durable through `zxid`. */
  persisted(zxid: bigint): void | Promise<void>;
  /** Closes the role's links; nothing it queued afterwards has any effect. */
  close(): void;
}
