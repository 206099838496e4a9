// What simulated clients and members say to each other, and the connection that carries it:
// FIFO both ways with a small delay, never lossy while open; a member closing it (crash, role
// change, session expiry) reaches the client after what was already sent.
// Counterpart: the client port's frames, reduced to the requests the simulation issues.

import type { Scheduler } from './scheduler.js';

export type ClientRequest =
  | { kind: 'connect'; sessionId: bigint | null; timeoutMs: number; lastZxidSeen: bigint }
  | { kind: 'ping' }
  | { kind: 'read'; cxid: number; path: string }
  | { kind: 'sync'; cxid: number; path: string }
  /** create / setData / delete / closeSession: `body` is the request record's jute bytes. */
  | { kind: 'write'; cxid: number; type: number; body: Buffer };

export type ClientReply =
  | { kind: 'connected'; sessionId: bigint }
  /** The session is gone (expired or closed): the member closes the connection. */
  | { kind: 'expired' }
  | { kind: 'result'; cxid: number; zxid: bigint; err: number; data?: string; version?: number; path?: string };

export interface ClientEnd {
  readonly id: number;
  onReply(conn: ClientConn, reply: ClientReply): void;
  onClosed(conn: ClientConn): void;
}

export interface MemberEnd {
  readonly sid: bigint;
  onClientRequest(conn: ClientConn, req: ClientRequest): void;
}

export class ClientConn {
  open = true;
  sessionId: bigint | null = null;
  private readonly arrival = { toMember: 0, toClient: 0 };

  constructor(private readonly s: Scheduler, private readonly maxDelay: number, readonly client: ClientEnd, readonly member: MemberEnd) {}

  private when(dir: 'toMember' | 'toClient'): number {
    const at = Math.max(this.s.now + this.s.int(1, this.maxDelay), this.arrival[dir]);
    this.arrival[dir] = at;
    return at - this.s.now;
  }

  send(req: ClientRequest): void {
    if (!this.open) return;
    this.s.after(this.when('toMember'), () => {
      if (this.open) this.member.onClientRequest(this, req);
    });
  }

  reply(reply: ClientReply): void {
    if (!this.open) return;
    this.s.after(this.when('toClient'), () => this.client.onReply(this, reply));
  }

  /** Closed by the member: the client hears of it after the replies already on their way. */
  closeByMember(): void {
    if (!this.open) return;
    this.open = false;
    this.s.after(this.when('toClient'), () => this.client.onClosed(this));
  }

  /** Closed by the client (it gave up waiting): nothing more is delivered either way. */
  closeByClient(): void {
    this.open = false;
  }
}
