// One client TCP connection: four-letter-word detection on the first 4 bytes, frame decoding
// under jute.maxbuffer, the handshake, then requests into the pipeline; it is also the Watcher
// its session's events are delivered to. Anything malformed closes this connection only. The
// pipeline that answers the handshake serves the connection for its whole life; when there is
// none (an ensemble member not serving) the connection is closed, as ZooKeeper does.
// Counterpart: org.apache.zookeeper.server.NIOServerCnxn.

import type { Socket } from 'node:net';
import type { ACL, Id } from '../../protocol/records.js';
import { encodeNotificationFrame } from '../../protocol/frames.js';
import { FrameDecoder } from '../../protocol/framing.js';
import { decodeConnectRequest, encodeConnectResponse, type ConnectRequest } from '../../protocol/handshake.js';
import { JuteReader } from '../../protocol/jute/reader.js';
import { JuteWriter } from '../../protocol/jute/writer.js';
import { Perms } from '../../protocol/types.js';
import { hasPermission, normalizeClientIp } from '../data/acl.js';
import type { ClientChannel } from '../requests/client-channel.js';
import type { ConnectOutcome, RequestProcessor } from '../requests/request-processor.js';
import { CoalescedWrites } from './coalesced-writes.js';
import { ConnectionStats, type ServerStats } from './server-stats.js';

export interface ConnectionHost {
  /** undefined while the server is not serving requests. */
  readonly processor: RequestProcessor | undefined;
  readonly stats: ServerStats;
  readonly maxBufferBytes: number;
  now(): number;
  /** Returns the text for a four-letter word, or undefined if `word` is not one. */
  fourLetterWord(word: number, connection: ClientConnection): string | undefined;
  connectionClosed(connection: ClientConnection): void;
  log(message: string): void;
}

type State = 'new' | 'handshake' | 'connecting' | 'established' | 'closed';

/**
 * The last notification frame built. A change's event goes to all its watchers one after the
 * other, so it is encoded once and the same (never modified) bytes are sent to each.
 */
let lastNotification: { type: number; path: string; zxid: bigint; frame: Buffer } | undefined;

function notificationFrame(type: number, path: string, zxid: bigint): Buffer {
  const last = lastNotification;
  if (last !== undefined && last.type === type && last.zxid === zxid && last.path === path) return last.frame;
  const frame = encodeNotificationFrame(type, path, zxid);
  lastNotification = { type, path, zxid, frame };
  return frame;
}

export class ClientConnection implements ClientChannel {
  readonly remoteIp: string;
  readonly remotePort: number;
  sessionId = 0n;
  sessionTimeoutMs = 0;
  readonly authIds: Id[];
  readonly stats = new ConnectionStats();
  readonly establishedAt = Date.now();
  private state: State = 'new';
  private readonly decoder: FrameDecoder;
  private head: Buffer[] = [];
  private headBytes = 0;
  /** Request frames that arrived while the ConnectRequest was being answered. */
  private waiting: Buffer[] = [];
  /** Frames sent in this turn of the event loop, written together when it ends. */
  private readonly outgoing: CoalescedWrites;
  /** The pipeline bound at the handshake. */
  private processor: RequestProcessor | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    this.remoteIp = normalizeClientIp(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    this.authIds = [{ scheme: 'ip', id: this.remoteIp }];
    this.decoder = new FrameDecoder(host.maxBufferBytes);
    this.outgoing = new CoalescedWrites(socket);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  get isEstablished(): boolean {
    return this.state === 'established';
  }

  // ---- ClientChannel ----

  send(frame: Buffer): void {
    if (this.state === 'closed') return;
    this.stats.packetsSent++;
    this.host.stats.packetsSent++;
    // Everything sent in one tick leaves in one write (the replies of a whole group commit, say).
    this.outgoing.write(frame);
  }

  close(reason: string): void {
    if (this.state === 'closed') return;
    this.outgoing.flush(); // what was sent before the close still goes out, ahead of the FIN
    this.state = 'closed';
    this.host.log(`closing connection ${this.remoteIp}:${this.remotePort}: ${reason}`);
    this.socket.end();
    this.socket.setTimeout(1000, () => this.socket.destroy());
  }

  notify(type: number, path: string, zxid: bigint): void {
    this.send(notificationFrame(type, path, zxid));
  }

  canRead(acl: readonly ACL[]): boolean {
    return hasPermission(acl, Perms.READ, this.authIds);
  }

  private requestStartedAt = 0;

  recordReply(lop: string, xid: number, zxid: bigint): void {
    const now = Date.now();
    const latency = now - this.requestStartedAt;
    this.stats.lastOp = lop;
    if (xid >= 0) this.stats.lastCxid = xid;
    this.stats.lastZxid = zxid;
    this.stats.lastResponseTime = now;
    this.stats.lastLatency = latency;
    this.stats.latency.record(latency);
    this.host.stats.latency.record(latency);
  }

  // ---- input ----

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    if (this.state === 'new') {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes < 4) return;
      const first = Buffer.concat(this.head);
      this.head = [];
      this.state = 'handshake';
      const text = this.host.fourLetterWord(first.readInt32BE(0), this);
      if (text !== undefined) {
        this.socket.end(text);
        this.state = 'closed';
        return;
      }
      chunk = first;
    }
    // As ZooKeeper, the complete requests before a bad length are processed, then the connection closes.
    const { frames, error } = this.decoder.decode(chunk);
    for (const frame of frames) {
      if (this.isClosed) break;
      this.stats.packetsReceived++;
      this.host.stats.packetsReceived++;
      if (this.state === 'handshake') this.handshake(frame);
      else if (this.state === 'connecting') this.waiting.push(frame);
      else this.request(frame);
    }
    if (error) this.close(error.message);
  }

  private handshake(frame: Buffer): void {
    let req: ConnectRequest;
    try {
      req = decodeConnectRequest(new JuteReader(frame));
    } catch {
      this.close('malformed ConnectRequest');
      return;
    }
    const processor = this.host.processor;
    if (!processor) {
      this.close('this ZooKeeper instance is not currently serving requests');
      return;
    }
    this.processor = processor;
    // Clients send auth and setWatches right behind the ConnectRequest; they wait for the answer.
    this.state = 'connecting';
    processor.connect(this, req, this.host.now(), (outcome) => this.connected(req, outcome));
  }

  private connected(req: ConnectRequest, outcome: ConnectOutcome): void {
    if (this.state === 'closed') return;
    if (outcome === 'close') {
      this.close(`client has seen zxid 0x${req.lastZxidSeen.toString(16)}, newer than ours`);
      return;
    }
    const w = JuteWriter.forFrame(48);
    encodeConnectResponse(w, outcome.response);
    this.send(w.frame());
    if (!outcome.valid) {
      this.close(`invalid session 0x${BigInt.asUintN(64, req.sessionId).toString(16)}`);
      return;
    }
    this.sessionTimeoutMs = outcome.response.timeOut;
    this.state = 'established';
    const waiting = this.waiting;
    this.waiting = [];
    for (const frame of waiting) {
      if (this.state !== 'established') break;
      this.request(frame);
    }
  }

  private request(frame: Buffer): void {
    this.requestStartedAt = Date.now();
    try {
      this.processor!.process(this, frame, this.host.now());
    } catch (e) {
      this.host.log(`internal error on request from ${this.remoteIp}:${this.remotePort}: ${(e as Error).stack ?? e}`);
      this.close('internal error');
    }
  }

  private onClose(): void {
    this.state = 'closed';
    this.processor?.disconnected(this);
    this.host.connectionClosed(this);
  }
}
