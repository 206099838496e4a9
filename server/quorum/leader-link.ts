// A learner's connection to its leader's quorum port: dialled again every `retryMs` until the
// leader answers (the role's own initLimit timeout gives up), then one packet stream each way. A
// connection closed before the leader sent anything (it had not started leading yet) is dialled
// again, and the learner's opening packet sent again; once the leader has spoken, losing the
// connection ends the learner's role. A SNAP arrives together with the snapshot stream behind it.
// Counterpart: Learner.connectToLeader / sockConnect, Learner.readPacket / writePacket.

import { createConnection, type Socket } from 'node:net';
import { encodeQuorumPacket, type QuorumPacket } from '../../protocol/quorum.js';
import type { PeerEndpoint } from './election-links.js';
import { CoalescedWrites } from '../net/coalesced-writes.js';
import { QuorumStreamReader, type InboundPacket } from './packet-reader.js';

export interface LeaderLinkOptions {
  leader: PeerEndpoint;
  retryMs: number;
  maxPacketBytes: number;
  /** A TCP connection is up (again): send the opening packet. */
  onConnected(): void;
  onPacket(inbound: InboundPacket): void;
  /** The established connection broke (not called after close()). */
  onClosed(reason: string): void;
  log(message: string): void;
}

export class LeaderLink {
  private socket: Socket | undefined;
  private writes: CoalescedWrites | undefined;
  private connected = false;
  /** The leader has sent something on the current connection. */
  private answered = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: LeaderLinkOptions) {}

  start(): void {
    this.dial();
  }

  private dial(): void {
    if (this.closed) return;
    const socket = createConnection({ host: this.o.leader.host, port: this.o.leader.port });
    this.socket = socket;
    this.writes = new CoalescedWrites(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    const reader = new QuorumStreamReader(this.o.maxPacketBytes, true);
    socket.once('connect', () => {
      if (this.closed) return void socket.destroy();
      this.connected = true;
      this.answered = false;
      this.o.onConnected();
    });
    socket.on('data', (chunk: Buffer) => {
      let inbound: InboundPacket[];
      try {
        inbound = reader.push(chunk);
      } catch (e) {
        this.o.log(`quorum: bad data from the leader: ${(e as Error).message}`);
        return void socket.destroy();
      }
      for (const p of inbound) {
        if (this.closed || socket.destroyed) return;
        this.answered = true;
        this.o.onPacket(p);
      }
    });
    socket.once('close', () => {
      if (this.closed) return;
      if (this.answered) {
        this.closed = true;
        this.o.onClosed('the connection to the leader closed');
        return;
      }
      this.connected = false;
      this.retryTimer = setTimeout(() => this.dial(), this.o.retryMs);
      this.retryTimer.unref();
    });
  }

  send(packet: QuorumPacket): void {
    const socket = this.socket;
    if (!socket || !this.connected || socket.destroyed) return;
    this.writes!.write(encodeQuorumPacket(packet));
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.destroy();
  }
}
