// One lean client session for the load generator: a TCP connection, the handshake, and pipelined
// requests whose replies are matched in order (ZooKeeper answers a session's requests in order).
// No promises per request, one socket write per batch, only the reply header decoded. Watch
// notifications go to `onNotification`. The same code talks to zabkit and to Apache ZooKeeper.

import { connect as tcpConnect, type Socket } from 'node:net';
import { FrameDecoder } from '../protocol/framing.js';
import { decodeConnectResponse, encodeConnectRequest } from '../protocol/handshake.js';
import { JuteReader } from '../protocol/jute/reader.js';
import { JuteWriter } from '../protocol/jute/writer.js';
import { OpCode, Xid } from '../protocol/ops.js';
import { WatcherEvent } from '../protocol/records.js';
import { encodeRequestFrame } from '../protocol/frames.js';

/** Called with the reply's error code (0 = ok) and the whole reply payload. */
export type ReplyHandler = (err: number, reply: Buffer) => void;

interface InFlight {
  xid: number;
  onReply: ReplyHandler;
}

export interface SessionAddress {
  host: string;
  port: number;
}

export function parseAddress(hostPort: string): SessionAddress {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(i + 1)) };
}

export class BenchSession {
  sessionId = 0n;
  /** Set when the connection is gone; the reason is kept for the run's error message. */
  failure: Error | undefined;
  onNotification: ((type: number, path: string) => void) | undefined;
  /** Called once when the connection closes or fails unexpectedly. */
  onFailure: ((err: Error) => void) | undefined;

  private readonly decoder = new FrameDecoder(0x7fffffff);
  private inFlight: InFlight[] = [];
  private head = 0;
  private nextXid = 1;
  private batch: Buffer[] = [];
  private flushQueued = false;
  private closing = false;
  private handshake: ((frame: Buffer) => void) | undefined;
  private closedWaiters: Array<() => void> = [];
  private isClosed = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => {
      this.isClosed = true;
      if (!this.closing) this.fail(new Error('the server closed the connection'));
      for (const wake of this.closedWaiters.splice(0)) wake();
    });
  }

  /** Connects and completes the handshake (new session, `timeoutMs` requested). */
  static connect(address: SessionAddress, timeoutMs = 30_000, connectTimeoutMs = 10_000): Promise<BenchSession> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host: address.host, port: address.port });
      const session = new BenchSession(socket);
      const timer = setTimeout(() => {
        session.destroy();
        reject(new Error(`no handshake from ${address.host}:${address.port} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      session.onFailure = (err) => {
        clearTimeout(timer);
        reject(new Error(`connecting to ${address.host}:${address.port}: ${err.message}`));
      };
      session.handshake = (frame) => {
        clearTimeout(timer);
        session.onFailure = undefined;
        const res = decodeConnectResponse(new JuteReader(frame));
        if (res.timeOut <= 0) {
          session.destroy();
          reject(new Error(`${address.host}:${address.port} refused the session`));
          return;
        }
        session.sessionId = res.sessionId;
        resolve(session);
      };
      socket.once('connect', () => {
        const w = JuteWriter.forFrame(64);
        encodeConnectRequest(w, {
          protocolVersion: 0,
          lastZxidSeen: 0n,
          timeOut: timeoutMs,
          sessionId: 0n,
          passwd: Buffer.alloc(16),
          readOnly: false,
        });
        socket.write(w.frame());
      });
    });
  }

  /** Requests sent and not yet answered. */
  get pending(): number {
    return this.inFlight.length - this.head;
  }

  takeXid(): number {
    const xid = this.nextXid;
    this.nextXid = xid >= 0x7ffffffe ? 1 : xid + 1;
    return xid;
  }

  /**
   * Queues a request frame built with `xid` (from takeXid); it goes out with the others queued in
   * this turn of the event loop, in one write.
   */
  send(xid: number, frame: Buffer, onReply: ReplyHandler): void {
    if (this.failure !== undefined) throw this.failure;
    this.inFlight.push({ xid, onReply });
    this.batch.push(frame);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.batch.length === 0 || this.isClosed) return;
    const frames = this.batch;
    this.batch = [];
    this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      if (this.handshake !== undefined) {
        const h = this.handshake;
        this.handshake = undefined;
        h(frame);
        continue;
      }
      const xid = frame.readInt32BE(0);
      const err = frame.readInt32BE(12);
      if (xid === Xid.WATCHER_EVENT) {
        if (this.onNotification !== undefined) {
          const r = new JuteReader(frame.subarray(16));
          const ev = WatcherEvent.decode(r);
          this.onNotification(ev.type, ev.path);
        }
        continue;
      }
      if (xid === Xid.PING) continue;
      const next = this.inFlight[this.head];
      if (next === undefined || next.xid !== xid) {
        this.fail(new Error(`reply xid ${xid} does not match the oldest request (xid ${next?.xid ?? 'none'})`));
        this.socket.destroy();
        return;
      }
      this.head++;
      if (this.head > 4096 && this.head * 2 > this.inFlight.length) {
        this.inFlight = this.inFlight.slice(this.head);
        this.head = 0;
      }
      next.onReply(err, frame);
    }
  }

  private fail(err: Error): void {
    if (this.failure !== undefined || this.closing) return;
    this.failure = err;
    this.onFailure?.(err);
  }

  /** Sends closeSession, waits for the server to close (at most `waitMs`), then drops the socket. */
  async close(waitMs = 3000): Promise<void> {
    if (this.isClosed) return;
    const gone = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    if (this.failure === undefined) {
      this.closing = true;
      this.socket.write(encodeRequestFrame(this.takeXid(), OpCode.closeSession));
    }
    const timer = setTimeout(() => this.socket.destroy(), waitMs);
    await gone;
    clearTimeout(timer);
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }
}
