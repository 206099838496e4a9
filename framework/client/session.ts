// The session across connections: its id, password, negotiated timeout and lastZxidSeen; the
// reconnect loop over the host list (jittered, backing off after a failed round); priming each
// new connection (auth replay, SetWatches, then queued requests); requests queued while no
// connection is up; and the end states (expired, auth failed, closed) with their errors.
// Counterpart: org.apache.zookeeper.ClientCnxn (state machine, queues, primeConnection).

import {
  AuthFailedError, AuthPacket, ConnectionLossError, KeeperState, OpCode, SessionExpiredError,
  type ConnectResponse,
} from '../../protocol/index.js';
import type { Clock } from './clock.js';
import { formatHostPort, type HostPort } from './connect-string.js';
import { Connection, type RawNotification } from './connection.js';
import { ClientClosedError } from './errors.js';
import type { SessionStateEvent } from './events.js';
import type { HostProvider } from './host-provider.js';
import { codecPacket, type Packet } from './packet.js';
import { isReadWriteServer } from './rw-probe.js';

export type SessionPhase = 'connecting' | 'connected' | 'connectedReadOnly' | 'expired' | 'authFailed' | 'closing' | 'closed';

export interface SessionConfig {
  readonly hosts: HostProvider;
  readonly sessionTimeoutMs: number;
  /** Per-attempt time to the ConnectResponse; default sessionTimeout / number of hosts. */
  readonly connectTimeoutMs: number | undefined;
  readonly canBeReadOnly: boolean;
  readonly maxBufferBytes: number;
  /** Upper bound of the random pause before each reconnect attempt. */
  readonly reconnectDelayMs: number;
  /** Extra pause once every host has failed in a row. */
  readonly spinDelayMs: number;
  /** How long close() waits for the closeSession reply. */
  readonly closeTimeoutMs: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly sessionId: bigint | undefined;
  readonly sessionPassword: Buffer | undefined;
}

export interface SessionListener {
  onState(event: SessionStateEvent): void;
  onNotification(event: RawNotification): void;
  /** The SetWatches packets that re-arm every watch, given the session's lastZxidSeen. */
  rearmWatches(lastZxidSeen: bigint): Packet[];
  /** The session is over (expired, auth failed or closed): drop client-side state. */
  onEnd(): void;
}

interface AuthInfo {
  readonly scheme: string;
  readonly auth: Buffer;
  waiters: Array<{ resolve(): void; reject(e: Error): void }>;
}

const PING_RW_MIN_MS = 100;
const PING_RW_MAX_MS = 60_000;

export class Session {
  sessionId: bigint;
  password: Buffer;
  negotiatedTimeoutMs = 0;
  lastZxidSeen = 0n;
  private phaseValue: SessionPhase = 'connecting';
  private connection: Connection | undefined;
  private outgoing: Packet[] = [];
  private readonly authInfo: AuthInfo[] = [];
  private nextXidValue = 1;
  private firstAttempt = true;
  private seenRwServer: boolean;
  private preferredHost: HostPort | undefined;
  private reconnectTimer: unknown;
  private rwTimer: unknown;
  private rwProbe: AbortController | undefined;
  private rwInterval = PING_RW_MIN_MS;
  private closePromise: Promise<void> | undefined;

  constructor(private readonly config: SessionConfig, private readonly listener: SessionListener) {
    this.sessionId = config.sessionId ?? 0n;
    this.password = config.sessionPassword ?? Buffer.alloc(16);
    this.seenRwServer = config.sessionId !== undefined;
  }

  get phase(): SessionPhase {
    return this.phaseValue;
  }

  get isConnected(): boolean {
    return this.phaseValue === 'connected' || this.phaseValue === 'connectedReadOnly';
  }

  /** "host:port" of the current connection, if connected. */
  get server(): string | undefined {
    return this.isConnected ? this.connection?.server : undefined;
  }

  start(): void {
    this.connectNext();
  }

  /** Sends now when connected, else queues for the next connection; ends in onReply or onFail. */
  submit(packet: Packet): void {
    const ended = this.endError();
    if (ended) {
      packet.onFail(ended);
      return;
    }
    if (this.isConnected && this.connection) this.connection.send(packet);
    else this.outgoing.push(packet);
  }

  /** Registers credentials (replayed on every reconnect) and resolves when the server accepted them. */
  addAuth(scheme: string, auth: Buffer): Promise<void> {
    const ended = this.endError();
    if (ended) return Promise.reject(ended);
    const info: AuthInfo = { scheme, auth, waiters: [] };
    this.authInfo.push(info);
    const done = new Promise<void>((resolve, reject) => info.waiters.push({ resolve, reject }));
    if (this.isConnected && this.connection) this.connection.send(this.authPacket(info));
    return done;
  }

  /** Ends the session: closeSession when connected (its ephemerals go at once), then the socket. */
  close(): Promise<void> {
    return (this.closePromise ??= this.doClose());
  }

  private async doClose(): Promise<void> {
    const wasConnected = this.isConnected;
    const terminalBefore = this.phaseValue === 'expired' || this.phaseValue === 'authFailed';
    this.phaseValue = 'closing';
    this.clearTimers();
    this.failOutgoing(() => new ClientClosedError());
    this.rejectAuthWaiters(() => new ClientClosedError());
    const conn = this.connection;
    if (conn && wasConnected && conn.isOpen) {
      await new Promise<void>((resolve) => {
        const timer = this.config.clock.setTimeout(resolve, this.config.closeTimeoutMs);
        conn.send(codecPacket(OpCode.closeSession, undefined, undefined, undefined, {
          onReply: () => {
            this.config.clock.clearTimeout(timer);
            resolve();
          },
          onFail: () => {
            this.config.clock.clearTimeout(timer);
            resolve();
          },
        }));
      });
    }
    if (conn) {
      conn.close('client closed', () => new ClientClosedError());
      await conn.closed;
    }
    this.connection = undefined;
    this.phaseValue = 'closed';
    if (!terminalBefore) this.listener.onEnd();
    this.emit(KeeperState.Closed);
  }

  private endError(): Error | undefined {
    switch (this.phaseValue) {
      case 'expired': return new SessionExpiredError();
      case 'authFailed': return new AuthFailedError();
      case 'closing': case 'closed': return new ClientClosedError();
      default: return undefined;
    }
  }

  private nextXid = (): number => {
    const xid = this.nextXidValue;
    this.nextXidValue = xid >= 0x7ffffffe ? 1 : xid + 1;
    return xid;
  };

  private connectNext(): void {
    if (this.endError()) return;
    let host: HostPort;
    let delay: number;
    if (this.preferredHost) {
      host = this.preferredHost;
      this.preferredHost = undefined;
      delay = 0;
    } else {
      const next = this.config.hosts.next();
      host = next.host;
      delay = this.firstAttempt ? 0 : this.config.random() * this.config.reconnectDelayMs;
      if (next.roundFailed) delay += this.config.spinDelayMs;
    }
    this.firstAttempt = false;
    if (delay <= 0) {
      this.open(host);
      return;
    }
    this.reconnectTimer = this.config.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.open(host);
    }, delay);
  }

  private open(host: HostPort): void {
    if (this.endError()) return;
    const timeout = this.negotiatedTimeoutMs > 0 ? this.negotiatedTimeoutMs : this.config.sessionTimeoutMs;
    const connectTimeoutMs = this.config.connectTimeoutMs ?? Math.max(1, Math.floor(timeout / this.config.hosts.size));
    this.connection = new Connection(
      {
        host,
        request: {
          protocolVersion: 0,
          lastZxidSeen: this.lastZxidSeen,
          timeOut: this.config.sessionTimeoutMs,
          sessionId: this.seenRwServer ? this.sessionId : 0n,
          passwd: this.seenRwServer ? this.password : Buffer.alloc(16),
          readOnly: this.config.canBeReadOnly,
        },
        connectTimeoutMs,
        maxBufferBytes: this.config.maxBufferBytes,
        clock: this.config.clock,
        nextXid: this.nextXid,
      },
      {
        onHandshake: (conn, res) => this.onHandshake(conn, res),
        onNotification: (conn, ev) => {
          if (conn === this.connection) this.listener.onNotification(ev);
        },
        onZxid: (zxid) => {
          if (zxid > this.lastZxidSeen) this.lastZxidSeen = zxid;
        },
        onClosed: (conn) => this.onClosed(conn),
      },
    );
  }

  private onHandshake(conn: Connection, res: ConnectResponse): void {
    if (conn !== this.connection || this.endError()) return;
    if (res.timeOut <= 0) {
      this.end('expired', () => new SessionExpiredError(), KeeperState.Expired);
      return;
    }
    const readOnly = res.readOnly === true;
    this.sessionId = res.sessionId;
    this.password = res.passwd;
    this.negotiatedTimeoutMs = res.timeOut;
    this.seenRwServer ||= !readOnly;
    this.config.hosts.connected();
    conn.startSession(res.timeOut);
    for (const info of this.authInfo) conn.send(this.authPacket(info));
    for (const packet of this.listener.rearmWatches(this.lastZxidSeen)) conn.send(packet);
    this.phaseValue = readOnly ? 'connectedReadOnly' : 'connected';
    for (const packet of this.outgoing.splice(0)) conn.send(packet);
    this.emit(readOnly ? KeeperState.ConnectedReadOnly : KeeperState.SyncConnected, conn.server);
    if (readOnly) {
      this.rwInterval = PING_RW_MIN_MS;
      this.scheduleRwProbe(conn);
    }
  }

  private onClosed(conn: Connection): void {
    if (conn !== this.connection) return;
    this.connection = undefined;
    this.stopRwProbe();
    if (this.endError()) return;
    const wasConnected = this.isConnected;
    this.phaseValue = 'connecting';
    this.failOutgoing(() => new ConnectionLossError());
    this.rejectAuthWaiters(() => new ConnectionLossError());
    if (wasConnected) this.emit(KeeperState.Disconnected);
    this.connectNext();
  }

  private end(phase: 'expired' | 'authFailed', error: () => Error, state: KeeperState): void {
    this.phaseValue = phase;
    this.clearTimers();
    this.failOutgoing(error);
    this.rejectAuthWaiters(error);
    this.connection?.close(phase === 'expired' ? 'session expired' : 'authentication failed', error);
    this.listener.onEnd();
    this.emit(state);
  }

  private authPacket(info: AuthInfo): Packet {
    return codecPacket(OpCode.auth, AuthPacket, { type: 0, scheme: info.scheme, auth: info.auth }, undefined, {
      onReply: (err) => {
        const waiters = info.waiters.splice(0);
        if (err === 0) {
          for (const w of waiters) w.resolve();
          return;
        }
        const index = this.authInfo.indexOf(info);
        if (index >= 0) this.authInfo.splice(index, 1);
        for (const w of waiters) w.reject(new AuthFailedError());
        if (!this.endError()) this.end('authFailed', () => new AuthFailedError(), KeeperState.AuthFailed);
      },
      onFail: (e) => {
        for (const w of info.waiters.splice(0)) w.reject(e);
      },
    });
  }

  private scheduleRwProbe(conn: Connection): void {
    const hosts = this.config.hosts;
    if (hosts.size < 2) return;
    this.rwTimer = this.config.clock.setTimeout(() => {
      this.rwTimer = undefined;
      if (conn !== this.connection || this.phaseValue !== 'connectedReadOnly') return;
      let candidate = hosts.next().host;
      if (formatHostPort(candidate) === conn.server) candidate = hosts.next().host;
      this.rwProbe = new AbortController();
      void isReadWriteServer(candidate, Math.min(this.rwInterval, 5000) + 1000, this.rwProbe.signal).then((rw) => {
        this.rwProbe = undefined;
        if (conn !== this.connection || this.phaseValue !== 'connectedReadOnly') return;
        if (rw) {
          this.preferredHost = candidate;
          conn.close(`found read-write server ${formatHostPort(candidate)}`);
          return;
        }
        this.rwInterval = Math.min(this.rwInterval * 2, PING_RW_MAX_MS);
        this.scheduleRwProbe(conn);
      });
    }, this.rwInterval);
  }

  private failOutgoing(error: () => Error): void {
    for (const packet of this.outgoing.splice(0)) packet.onFail(error());
  }

  private rejectAuthWaiters(error: () => Error): void {
    for (const info of this.authInfo) for (const w of info.waiters.splice(0)) w.reject(error());
  }

  private clearTimers(): void {
    if (this.reconnectTimer !== undefined) this.config.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopRwProbe();
  }

  private stopRwProbe(): void {
    if (this.rwTimer !== undefined) this.config.clock.clearTimeout(this.rwTimer);
    this.rwTimer = undefined;
    this.rwProbe?.abort();
    this.rwProbe = undefined;
  }

  private emit(state: KeeperState, server?: string): void {
    this.listener.onState({ state, sessionId: this.sessionId, ...(server !== undefined ? { server } : {}) });
  }
}
