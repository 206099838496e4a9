// A follower: a voting learner. Opens discovery with FOLLOWERINFO and ACKs every proposal once
// it is durable, so the leader may count it toward a quorum.
// Counterpart: org.apache.zookeeper.server.quorum.Follower (+ SendAckRequestProcessor).

import { QuorumPacketType } from '../../protocol/quorum.js';
import { Learner, type LearnerOptions } from './learner.js';

export class Follower extends Learner {
  protected readonly infoType = QuorumPacketType.FOLLOWERINFO;
  protected readonly acksProposals = true;

  constructor(opts: LearnerOptions) {
    super(opts);
  }
}
