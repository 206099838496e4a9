// A simulated member's current Zab role and the driver state that goes with it: the leader's
// learner links and request stage, the learner's link and what its NEWLEADER ACK must cover.

import type { Leader } from '../../server/zab/leader.js';
import type { Learner } from '../../server/zab/learner.js';
import type { LeaderRequests } from './leader-requests.js';
import type { Link } from './network.js';

export interface LeaderRole {
  readonly kind: 'leader';
  readonly id: number;
  readonly m: Leader;
  /** Learner sid → its current link (LearnerHandler per learner). */
  readonly links: Map<bigint, Link>;
  /** The request stage, from the moment the leader serves. */
  requests: LeaderRequests | null;
}

export interface LearnerRole {
  readonly kind: 'learner';
  readonly id: number;
  readonly m: Learner;
  readonly leader: bigint;
  link: Link | null;
  connected: boolean;
  /** The last txn written before NEWLEADER arrived: durable before NEWLEADER may be ACKed. */
  syncedThrough: bigint;
  newLeaderAcked: boolean;
}

export type Role = LeaderRole | LearnerRole;
