// Helpers for the leader tests: a timeline of leadership changes across participants (one
// process, so the event order is a real order) that checks at every change that at most one
// participant leads and that fencing tokens grow from one term to the next.
import type { LeaderLatch, Leadership, LeadershipEvent } from '../../../recipes/leader/index.js';

export interface TimelineEntry {
  readonly participant: string;
  readonly type: 'isLeader' | 'notLeader';
  readonly token: bigint;
  readonly reason: string | undefined;
}

export class LeadershipTimeline {
  readonly entries: TimelineEntry[] = [];
  /** Participants leading right now, by name. */
  readonly leaders = new Map<string, Leadership>();
  /** Every violation seen (a second leader, a token not above the previous term's). */
  readonly violations: string[] = [];
  private lastToken: bigint | undefined;

  /** Records one participant's leadership$ (call before start()); its completion (close) ends a term too. */
  follow(participant: string, latch: Pick<LeaderLatch, 'leadership$'>): void {
    latch.leadership$.subscribe({
      next: (event) => this.record(participant, event),
      complete: () => {
        const term = this.leaders.get(participant);
        if (term) this.record(participant, { type: 'notLeader', leadership: term, error: undefined });
      },
    });
  }

  /** Records a term begun / ended by other means (a LeaderSelector's callback). */
  record(participant: string, event: LeadershipEvent): void {
    const token = event.leadership.fencingToken;
    this.entries.push({ participant, type: event.type, token, reason: event.type === 'notLeader' ? event.error?.reason : undefined });
    if (event.type === 'isLeader') {
      for (const [other, term] of this.leaders) {
        if (other !== participant) this.violations.push(`${participant} became leader (token ${token}) while ${other} led (token ${term.fencingToken})`);
      }
      if (this.lastToken !== undefined && token <= this.lastToken) {
        this.violations.push(`${participant}'s token ${token} is not above the previous term's ${this.lastToken}`);
      }
      this.lastToken = token;
      this.leaders.set(participant, event.leadership);
    } else {
      this.leaders.delete(participant);
    }
  }

  /** How many terms began. */
  get terms(): number {
    return this.entries.filter((e) => e.type === 'isLeader').length;
  }

  describe(): string {
    return this.entries.map((e) => `${e.participant} ${e.type} ${e.token}${e.reason ? ` (${e.reason})` : ''}`).join('\n');
  }
}
