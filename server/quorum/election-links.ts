// TCP links between ensemble members on the election port, carrying Fast Leader Election
// notifications. Every connection opens with the initiator's initial message (protocol
// version, sid, election address); only a connection from the higher sid to the lower one is
// kept — a lower sid that dials a higher one closes after the header and the higher sid dials
// back. Only configured sids are accepted. Each direction then carries length-prefixed frames.
// A message for a peer without a link waits (only the newest one, as ZooKeeper's send queue of
// one) while the link is dialled, with back-off between attempts; a new link first carries the
// waiting message or else repeats the last one sent, and a link that breaks is dialled again to
// repeat it, so a notification lost with a dead link is not lost for good (FLE ignores repeats). Counterpart: QuorumCnxManager (connectOne, startConnection,
// handleConnection, SendWorker / RecvWorker, lastMessageSent).

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import {
  ElectionFrameReader, encodeElectionFrame, encodeInitialMessage, formatPeerAddress, parseInitialMessage,
} from './initial-message.js';

export interface PeerEndpoint {
  host: string;
  port: number;
}

export interface ElectionLinksOptions {
  myid: bigint;
  /** This member's election address (listened on, and announced in the initial message). */
  self: PeerEndpoint;
  /** Every other configured member (voters and observers) by sid. */
  peers: ReadonlyMap<bigint, PeerEndpoint>;
  /** A frame (a notification) from `from`. */
  onMessage(from: bigint, payload: Buffer): void;
  log(message: string): void;
  /** How long a dial or an initial message may take (ZooKeeper's cnxTimeout, 5 s). */
  connectTimeoutMs?: number;
  /** Back-off between attempts to reach one peer. */
  minRetryMs?: number;
  maxRetryMs?: number;
}

interface Peer {
  readonly sid: bigint;
  readonly endpoint: PeerEndpoint;
  /** The established link, used in both directions. */
  socket: Socket | undefined;
  dialing: boolean;
  /** The newest message not yet sent (ZooKeeper's queue holds one). */
  waiting: Buffer | undefined;
  lastSent: Buffer | undefined;
  retryMs: number;
  nextDialAt: number;
  retryTimer: NodeJS.Timeout | undefined;
}

export class ElectionLinks {
  private readonly peers = new Map<bigint, Peer>();
  private readonly server: Server;
  private readonly accepted = new Set<Socket>();
  private readonly connectTimeoutMs: number;
  private readonly minRetryMs: number;
  private readonly maxRetryMs: number;
  private closed = false;
  /** Connections refused: unknown or own sid, or a malformed initial message. */
  refused = 0;

  constructor(private readonly o: ElectionLinksOptions) {
    this.connectTimeoutMs = o.connectTimeoutMs ?? 5000;
    this.minRetryMs = o.minRetryMs ?? 50;
    this.maxRetryMs = o.maxRetryMs ?? 2000;
    for (const [sid, endpoint] of o.peers) {
      if (sid === o.myid) continue;
      this.peers.set(sid, {
        sid, endpoint, socket: undefined, dialing: false, waiting: undefined, lastSent: undefined,
        retryMs: this.minRetryMs, nextDialAt: 0, retryTimer: undefined,
      });
    }
    this.server = createServer((socket) => this.accept(socket));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.self.port, this.o.self.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Sends one notification to `to` now, or as soon as a link to it exists. */
  send(to: bigint, payload: Buffer): void {
    const peer = this.peers.get(to);
    if (!peer || this.closed) return;
    if (peer.socket) {
      this.write(peer, payload);
      return;
    }
    peer.waiting = payload;
    this.dialSoon(peer);
  }

  /** Peers with an established link. */
  connectedPeers(): bigint[] {
    return [...this.peers.values()].filter((p) => p.socket !== undefined).map((p) => p.sid);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const peer of this.peers.values()) {
      if (peer.retryTimer) clearTimeout(peer.retryTimer);
      peer.socket?.destroy();
      peer.socket = undefined;
    }
    for (const s of this.accepted) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- dialling ---------------------------------------------------------------------------

  private dialSoon(peer: Peer): void {
    if (peer.socket || peer.dialing || peer.retryTimer || this.closed) return;
    const wait = peer.nextDialAt - Date.now();
    if (wait > 0) {
      peer.retryTimer = setTimeout(() => {
        peer.retryTimer = undefined;
        this.dialSoon(peer);
      }, wait);
      peer.retryTimer.unref();
      return;
    }
    this.dial(peer);
  }

  private backOff(peer: Peer): void {
    peer.nextDialAt = Date.now() + peer.retryMs;
    peer.retryMs = Math.min(peer.retryMs * 2, this.maxRetryMs);
  }

  private dial(peer: Peer): void {
    peer.dialing = true;
    const socket = createConnection({ host: peer.endpoint.host, port: peer.endpoint.port });
    socket.setNoDelay(true);
    socket.setTimeout(this.connectTimeoutMs, () => socket.destroy());
    const failed = () => {
      if (!peer.dialing) return;
      peer.dialing = false;
      this.backOff(peer);
      if (peer.waiting) this.dialSoon(peer);
    };
    socket.on('error', () => undefined);
    socket.once('close', failed);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.write(encodeInitialMessage(this.o.myid, formatPeerAddress(this.o.self.host, this.o.self.port)));
      if (peer.sid > this.o.myid) {
        // The higher sid keeps the connection: it dials back once it sees our header.
        socket.end();
        socket.off('close', failed);
        peer.dialing = false;
        this.backOff(peer);
        return;
      }
      peer.dialing = false;
      socket.off('close', failed);
      this.attach(peer, socket, Buffer.alloc(0));
    });
  }

  // ---- accepting --------------------------------------------------------------------------

  private accept(socket: Socket): void {
    if (this.closed) return void socket.destroy();
    this.accepted.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.connectTimeoutMs, () => socket.destroy());
    socket.on('error', () => undefined);
    socket.once('close', () => this.accepted.delete(socket));
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      let parsed;
      try {
        parsed = parseInitialMessage(head);
      } catch (e) {
        this.refused++;
        this.o.log(`election: closing a connection from ${socket.remoteAddress}: ${(e as Error).message}`);
        return void socket.destroy();
      }
      if (!parsed) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      this.accepted.delete(socket);
      this.identified(socket, parsed.message.sid, head.subarray(parsed.length));
    };
    socket.on('data', onData);
  }

  private identified(socket: Socket, sid: bigint, rest: Buffer): void {
    const peer = this.peers.get(sid);
    if (!peer) {
      this.refused++;
      this.o.log(`election: refusing a connection from sid ${sid} (${socket.remoteAddress}): ${sid === this.o.myid ? 'that is my own id' : 'not in the configuration'}`);
      return void socket.destroy();
    }
    if (sid < this.o.myid) {
      // Only the higher sid keeps a link: close this one and dial back.
      socket.destroy();
      peer.nextDialAt = 0;
      if (peer.retryTimer) clearTimeout(peer.retryTimer);
      peer.retryTimer = undefined;
      if (!peer.socket) this.dialSoon(peer);
      return;
    }
    this.attach(peer, socket, rest);
  }

  // ---- established links --------------------------------------------------------------------

  private attach(peer: Peer, socket: Socket, rest: Buffer): void {
    if (this.closed) return void socket.destroy();
    const old = peer.socket;
    peer.socket = socket;
    old?.destroy();
    peer.retryMs = this.minRetryMs;
    peer.nextDialAt = 0;
    const reader = new ElectionFrameReader();
    const onData = (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch (e) {
        this.o.log(`election: dropping the link to ${peer.sid}: ${(e as Error).message}`);
        return void socket.destroy();
      }
      for (const f of frames) this.o.onMessage(peer.sid, f);
    };
    socket.on('error', () => undefined);
    socket.on('data', onData);
    socket.once('close', () => {
      if (peer.socket !== socket) return;
      peer.socket = undefined;
      // What was written last may have died with the link: say it again on the next one.
      peer.waiting ??= peer.lastSent;
      if (peer.waiting) this.dialSoon(peer);
    });
    const first = peer.waiting ?? peer.lastSent;
    peer.waiting = undefined;
    if (first) this.write(peer, first);
    if (rest.length > 0) onData(rest);
  }

  private write(peer: Peer, payload: Buffer): void {
    peer.lastSent = payload;
    peer.socket!.write(encodeElectionFrame(payload));
  }
}
