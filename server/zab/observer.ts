// An observer: a non-voting learner. Opens discovery with OBSERVERINFO, receives committed txns
// as INFORM and never ACKs a proposal (it ACKs only NEWLEADER and UPTODATE, as ZooKeeper's does).
// Counterpart: org.apache.zookeeper.server.quorum.Observer.

import { QuorumPacketType } from '../../protocol/quorum.js';
import { Learner, type LearnerOptions } from './learner.js';

export class Observer extends Learner {
  protected readonly infoType = QuorumPacketType.OBSERVERINFO;
  protected readonly acksProposals = false;

  constructor(opts: LearnerOptions) {
    super(opts);
  }
}
