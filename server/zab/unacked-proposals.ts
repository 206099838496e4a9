// The proposals sent to one follower and not yet ACKed, with the leader tick each was sent at, so
// the leader can drop a follower that keeps pinging but stopped ACKing (a stuck disk): when the
// oldest has waited longer than syncLimit ticks. Followers ACK in zxid order, so an ACK settles
// every proposal up to its zxid.
// Counterpart: LearnerHandler.SyncLimitCheck (which tracks only the oldest two).

export class UnackedProposals {
  private zxids: bigint[] = [];
  private ticks: number[] = [];
  private head = 0;

  sent(zxid: bigint, tick: number): void {
    this.zxids.push(zxid);
    this.ticks.push(tick);
  }

  acked(zxid: bigint): void {
    while (this.head < this.zxids.length && this.zxids[this.head]! <= zxid) this.head++;
    if (this.head === this.zxids.length) {
      this.zxids = [];
      this.ticks = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.zxids.length) {
      this.zxids = this.zxids.slice(this.head);
      this.ticks = this.ticks.slice(this.head);
      this.head = 0;
    }
  }

  /** The oldest un-ACKed proposal and the tick it was sent at, if any. */
  oldest(): { zxid: bigint; tick: number } | undefined {
    if (this.head === this.zxids.length) return undefined;
    return { zxid: this.zxids[this.head]!, tick: this.ticks[this.head]! };
  }
}
