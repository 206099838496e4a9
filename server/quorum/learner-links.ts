// The leader's side of the quorum port: each learner connection must open with FOLLOWERINFO or
// OBSERVERINFO whose LearnerInfo names a configured sid other than ours (anything else is
// closed); a newer connection from the same sid replaces the older one. Packets go out in
// order per learner, a SNAP followed by the snapshot stream; writes made in one tick leave in
// one syscall. The port listens for the member's whole life and hands sockets to the links of
// the current leader role, or closes them when this member is not leading.
// Counterpart: Leader.LearnerCnxAcceptor and the connection half of LearnerHandler.

import { createServer, type Server, type Socket } from 'node:net';
import {
  decodeLearnerInfo, encodeQuorumPacket, QuorumPacketType as T, quorumPacketTypeName, type QuorumPacket,
} from '../../protocol/quorum.js';
import { CoalescedWrites } from '../net/coalesced-writes.js';
import { QuorumStreamReader } from './packet-reader.js';

export interface LearnerLinksOptions {
  myid: bigint;
  /** Every configured sid (voters and observers). */
  configured: ReadonlySet<bigint>;
  maxPacketBytes: number;
  /** How long a new connection may take to send its LearnerInfo. */
  handshakeTimeoutMs: number;
  onPacket(sid: bigint, packet: QuorumPacket): void;
  /** The connection of `sid` is gone (closed by either side). */
  onClosed(sid: bigint): void;
  log(message: string): void;
}

interface Link {
  readonly sid: bigint;
  readonly socket: Socket;
  readonly writes: CoalescedWrites;
}

export class LearnerLinks {
  private readonly links = new Map<bigint, Link>();
  private readonly unidentified = new Set<Socket>();
  private closed = false;
  /** Connections refused for a bad first packet or an unknown sid. */
  refused = 0;
  private lastPacket: QuorumPacket | undefined;
  private lastBytes: Buffer = Buffer.alloc(0);

  constructor(private readonly o: LearnerLinksOptions) {}

  /** A new connection on the quorum port. */
  adopt(socket: Socket): void {
    if (this.closed) return void socket.destroy();
    this.unidentified.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.o.handshakeTimeoutMs, () => socket.destroy());
    socket.on('error', () => undefined);
    const reader = new QuorumStreamReader(this.o.maxPacketBytes, false);
    let link: Link | undefined;
    socket.on('data', (chunk: Buffer) => {
      let packets;
      try {
        packets = reader.push(chunk);
      } catch (e) {
        this.o.log(`quorum: closing the connection of ${link ? `learner ${link.sid}` : socket.remoteAddress}: ${(e as Error).message}`);
        return void socket.destroy();
      }
      for (const { packet } of packets) {
        if (socket.destroyed) return;
        if (!link) {
          link = this.identify(socket, packet);
          if (!link) return;
        }
        this.o.onPacket(link.sid, packet);
      }
    });
    socket.once('close', () => {
      this.unidentified.delete(socket);
      if (link && this.links.get(link.sid) === link) {
        this.links.delete(link.sid);
        if (!this.closed) this.o.onClosed(link.sid);
      }
    });
  }

  private identify(socket: Socket, packet: QuorumPacket): Link | undefined {
    const refuse = (why: string): undefined => {
      this.refused++;
      this.o.log(`quorum: refusing a learner connection from ${socket.remoteAddress}: ${why}`);
      socket.destroy();
      return undefined;
    };
    if (packet.type !== T.FOLLOWERINFO && packet.type !== T.OBSERVERINFO) {
      return refuse(`first packet is ${quorumPacketTypeName(packet.type)}, not FOLLOWERINFO or OBSERVERINFO`);
    }
    let sid: bigint;
    try {
      sid = decodeLearnerInfo(packet.data ?? Buffer.alloc(0)).serverId;
    } catch (e) {
      return refuse((e as Error).message);
    }
    if (sid === this.o.myid || !this.o.configured.has(sid)) return refuse(`sid ${sid} is ${sid === this.o.myid ? 'my own' : 'not in the configuration'}`);
    this.unidentified.delete(socket);
    socket.setTimeout(0);
    const link: Link = { sid, socket, writes: new CoalescedWrites(socket) };
    const old = this.links.get(sid);
    this.links.set(sid, link);
    if (old) {
      this.o.log(`quorum: learner ${sid} connected again; dropping its older connection`);
      old.socket.destroy();
    }
    return link;
  }

  /** Sends one packet (and, after a SNAP, the snapshot stream) to `sid`, if it is connected. */
  send(sid: bigint, packet: QuorumPacket, snapshot?: Buffer): void {
    const link = this.links.get(sid);
    if (!link || link.socket.destroyed) return;
    link.writes.write(this.encoded(packet));
    if (snapshot) link.writes.write(snapshot);
  }

  /**
   * The bytes of `packet`. A proposal or commit goes to every follower as one packet object, one
   * after the other, so the last encoding is kept and reused for the same object (packets are
   * never modified once made).
   */
  private encoded(packet: QuorumPacket): Buffer {
    if (packet !== this.lastPacket) {
      this.lastPacket = packet;
      this.lastBytes = encodeQuorumPacket(packet);
    }
    return this.lastBytes;
  }

  /** Closes the connection of `sid` (the machine dropped it); no onClosed follows. */
  disconnect(sid: bigint): void {
    const link = this.links.get(sid);
    if (!link) return;
    this.links.delete(sid);
    link.socket.destroy();
  }

  connected(): bigint[] {
    return [...this.links.keys()];
  }

  closeAll(): void {
    this.closed = true;
    for (const link of this.links.values()) link.socket.destroy();
    this.links.clear();
    for (const s of this.unidentified) s.destroy();
    this.unidentified.clear();
  }
}

/** The quorum port: always listening; connections go to the current leader's links, if any. */
export class QuorumPort {
  private readonly server: Server;
  /** Set while leading. */
  links: LearnerLinks | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.server = createServer((socket) => {
      if (this.links) this.links.adopt(socket);
      else socket.destroy();
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.links?.closeAll();
    this.links = undefined;
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
