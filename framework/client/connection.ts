// One TCP connection to one server: the handshake (ConnectRequest out, ConnectResponse in), then
// pipelined requests whose replies must come back in send order, auth replies (xid -4) in their
// own order, watch notifications (xid -1), pings when nothing was sent for a third of the
// session timeout, and the verdict "dead" when nothing was heard for two thirds of it. It never
// reconnects: the session decides what comes next. Writes made in one tick leave in one batch.
// Counterpart: ClientCnxn.SendThread + ClientCnxnSocketNIO (one socket's lifetime).

import { connect as tcpConnect, type Socket } from 'node:net';
import {
  ConnectionLossError, decodeConnectResponse, encodeConnectRequest, encodeRequestFrame, FrameDecoder,
  JuteReader, JuteWriter, OpCode, ReplyHeader, WatcherEvent, Xid,
  type ConnectRequest, type ConnectResponse,
} from '../../protocol/index.js';
import type { Clock } from './clock.js';
import { formatHostPort, type HostPort } from './connect-string.js';
import type { Packet } from './packet.js';

export interface RawNotification {
  readonly type: number;
  readonly state: number;
  readonly path: string;
  readonly zxid: bigint;
}

export interface ConnectionListener {
  /** The ConnectResponse arrived (possibly an "expired" one with timeOut <= 0). */
  onHandshake(connection: Connection, response: ConnectResponse): void;
  onNotification(connection: Connection, event: RawNotification): void;
  /** A normal reply carried this zxid (> 0); called before the packet sees its reply. */
  onZxid(zxid: bigint): void;
  /** The socket is gone; every packet it held has already been failed. Called exactly once. */
  onClosed(connection: Connection, reason: Error, handshakeDone: boolean): void;
}

export interface ConnectionOptions {
  readonly host: HostPort;
  readonly request: ConnectRequest;
  /** Time allowed from the start of the TCP connect until the ConnectResponse. */
  readonly connectTimeoutMs: number;
  readonly maxBufferBytes: number;
  readonly clock: Clock;
  readonly nextXid: () => number;
}

export class Connection {
  readonly server: string;
  private readonly socket: Socket;
  private readonly decoder: FrameDecoder;
  private readonly pending: Array<{ xid: number; packet: Packet }> = [];
  private readonly authPending: Packet[] = [];
  private handshakeDone = false;
  private closing: Error | undefined;
  private finished = false;
  private timer: unknown;
  private lastSend: number;
  private lastRecv: number;
  private readTimeoutMs = 0;
  private pingIntervalMs = 0;
  private corked = false;
  private failWith: (() => Error) | undefined;
  private resolveClosed!: () => void;
  /** Resolves once the socket is gone and onClosed has run. */
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(private readonly opts: ConnectionOptions, private readonly listener: ConnectionListener) {
    this.server = formatHostPort(opts.host);
    this.decoder = new FrameDecoder(opts.maxBufferBytes);
    this.lastSend = this.lastRecv = opts.clock.now();
    this.socket = tcpConnect({ host: opts.host.host, port: opts.host.port });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      const w = JuteWriter.forFrame(64);
      encodeConnectRequest(w, opts.request);
      this.write(w.frame());
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e) => {
      this.closing ??= new ConnectionLossError(undefined, { cause: e });
    });
    this.socket.on('close', () => this.onSocketClose());
    this.arm(opts.connectTimeoutMs, () => this.close(`no ConnectResponse from ${this.server} within ${opts.connectTimeoutMs} ms`));
  }

  get isOpen(): boolean {
    return this.closing === undefined && !this.finished;
  }

  /** Requests sent and not yet answered. */
  get outstanding(): number {
    return this.pending.length + this.authPending.length;
  }

  /** After a successful handshake: start pinging and watching for silence. */
  startSession(negotiatedTimeoutMs: number): void {
    this.readTimeoutMs = Math.floor((negotiatedTimeoutMs * 2) / 3);
    this.pingIntervalMs = Math.max(1, Math.floor(negotiatedTimeoutMs / 3));
    this.schedule();
  }

  send(packet: Packet): void {
    if (!this.isOpen) {
      packet.onFail(new ConnectionLossError());
      return;
    }
    if (packet.opCode === OpCode.auth) {
      this.authPending.push(packet);
      this.write(packet.encode(Xid.AUTH));
      return;
    }
    const xid = this.opts.nextXid();
    this.pending.push({ xid, packet });
    this.write(packet.encode(xid));
  }

  /**
   * Drops the connection. Pending packets fail with ConnectionLoss, or with `failWith()` when
   * given (e.g. SessionExpired, AuthFailed). Idempotent.
   */
  close(reason: string | Error, failWith?: () => Error): void {
    this.failWith ??= failWith;
    if (this.closing !== undefined || this.finished) return;
    this.closing = typeof reason === 'string' ? new ConnectionLossError(undefined, { cause: new Error(reason) }) : reason;
    this.socket.destroy();
  }

  private write(frame: Buffer): void {
    this.lastSend = this.opts.clock.now();
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  private arm(ms: number, fn: () => void): void {
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      fn();
    }, Math.max(0, ms));
  }

  /** One timer serves both the ping and the read-timeout deadline. */
  private schedule(): void {
    if (!this.isOpen) return;
    const now = this.opts.clock.now();
    const silentFor = now - this.lastRecv;
    if (silentFor >= this.readTimeoutMs) {
      this.close(`nothing heard from ${this.server} for ${Math.round(silentFor)} ms (read timeout ${this.readTimeoutMs} ms)`);
      return;
    }
    if (now - this.lastSend >= this.pingIntervalMs) this.write(encodeRequestFrame(Xid.PING, OpCode.ping));
    const nextPing = this.lastSend + this.pingIntervalMs - now;
    const nextDead = this.lastRecv + this.readTimeoutMs - now;
    this.arm(Math.min(nextPing, nextDead), () => this.schedule());
  }

  private onData(chunk: Buffer): void {
    if (!this.isOpen) return;
    this.lastRecv = this.opts.clock.now();
    // As ZooKeeper's client, the replies before a bad length are delivered, then the connection closes.
    const { frames, error } = this.decoder.decode(chunk);
    for (const frame of frames) {
      if (!this.isOpen) return;
      try {
        if (!this.handshakeDone) this.onHandshakeFrame(frame);
        else this.onFrame(frame);
      } catch (e) {
        this.close(new ConnectionLossError(undefined, { cause: e }));
      }
    }
    if (error) this.close(error);
  }

  private onHandshakeFrame(frame: Buffer): void {
    this.handshakeDone = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const response = decodeConnectResponse(new JuteReader(frame));
    this.listener.onHandshake(this, response);
  }

  private onFrame(frame: Buffer): void {
    const r = new JuteReader(frame);
    const header = ReplyHeader.decode(r);
    switch (header.xid) {
      case Xid.PING:
        return;
      case Xid.WATCHER_EVENT: {
        const ev = WatcherEvent.decode(r);
        this.listener.onNotification(this, { ...ev, zxid: header.zxid });
        return;
      }
      case Xid.AUTH: {
        const packet = this.authPending.shift();
        if (!packet) throw new Error('auth reply with no auth request outstanding');
        packet.onReply(header.err, header.zxid, r);
        return;
      }
      default: {
        const head = this.pending.shift();
        if (!head) throw new Error(`reply xid ${header.xid} with no request outstanding`);
        if (head.xid !== header.xid) {
          head.packet.onFail(new ConnectionLossError());
          throw new Error(`reply out of order: expected xid ${head.xid}, got ${header.xid}`);
        }
        if (header.zxid > 0n) this.listener.onZxid(header.zxid);
        head.packet.onReply(header.err, header.zxid, r);
      }
    }
  }

  private onSocketClose(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const reason = this.closing ?? new ConnectionLossError(undefined, { cause: new Error(`${this.server} closed the connection`) });
    this.closing = reason;
    const failed = [...this.pending.splice(0).map((p) => p.packet), ...this.authPending.splice(0)];
    for (const packet of failed) packet.onFail(this.failWith?.() ?? new ConnectionLossError(undefined, { cause: reason }));
    this.listener.onClosed(this, reason, this.handshakeDone);
    this.resolveClosed();
  }
}
