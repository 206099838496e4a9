// A small promise-based raw ZooKeeper client FOR TESTS (not zabkit's product client): one TCP
// connection, the handshake, pipelined requests whose replies are matched in order, watch
// notifications collected into `events`, and escape hatches (raw bodies, raw bytes, dropping the
// socket) for bad-input tests. Every encoding comes from protocol/; nothing is re-implemented.
// Error replies never throw: callers look at `header.err`.
import { connect as tcpConnect, type Socket } from 'node:net';
import {
  decodeConnectResponse, encodeConnectRequest, encodeRequestFrame, FrameDecoder, JuteReader, JuteWriter,
  OPEN_ACL_UNSAFE, OpCode, opSpec, ReplyHeader, WatcherEvent, Xid,
  type ACL, type Codec, type MultiOp, type MultiResult, type Stat,
} from '../../protocol/index.js';

export interface ReplyHeaderFields {
  xid: number;
  zxid: bigint;
  err: number;
}

export interface Reply<T = unknown> {
  header: ReplyHeaderFields;
  /** The decoded response record; only when err === 0 and the reply carried bytes after the header. */
  body?: T | undefined;
  /** The whole reply payload (ReplyHeader + body), without the 4-byte length prefix. */
  raw: Buffer;
  /** Arrival order among everything this client received (replies and notifications). */
  seq: number;
}

export interface WatchEvent {
  type: number;
  state: number;
  path: string;
  /** ReplyHeader.zxid of the notification: -1 in ZooKeeper <= 3.8, the txn zxid in 3.9+. */
  zxid: bigint;
  seq: number;
}

export interface ConnectOptions {
  /** Requested session timeout (ms). Default 10000. */
  timeoutMs?: number;
  /** Resume this session (with `passwd`). Default 0 = new session. */
  sessionId?: bigint;
  passwd?: Buffer;
  /** The trailing ConnectRequest byte; pass `readOnly: undefined` explicitly to omit it (pre-3.4 client). Default false. */
  readOnly?: boolean | undefined;
  lastZxidSeen?: bigint;
  /** How long connect() waits for the ConnectResponse. Default 10000. */
  connectTimeoutMs?: number;
  /** How long each request waits for its reply before rejecting. Default 15000. */
  requestTimeoutMs?: number;
}

export interface CreateOptions {
  acl?: readonly ACL[];
  /** CreateMode flag (0..6). Default 0. */
  mode?: number;
  /** Required for TTL modes (5, 6); sent with opcode 21. */
  ttl?: bigint | number;
  /** Ask for a Stat (opcode 15 create2), like Java's create(..., Stat). */
  stat?: boolean;
}

export type Data = Buffer | string | null;

const toData = (d: Data): Buffer | null => (typeof d === 'string' ? Buffer.from(d, 'utf8') : d);

interface Pending {
  xid: number;
  type: number;
  resolve(r: Reply<any>): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** Builders for multi / multiRead sub-ops. */
export const mop = {
  create(path: string, data: Data, opts: CreateOptions = {}): MultiOp {
    const acl = [...(opts.acl ?? OPEN_ACL_UNSAFE)];
    const flags = opts.mode ?? 0;
    if (opts.ttl !== undefined) return { type: 21, request: { path, data: toData(data), acl, flags, ttl: BigInt(opts.ttl) } };
    const type = flags === 4 ? 19 : opts.stat ? 15 : 1;
    return { type, request: { path, data: toData(data), acl, flags } };
  },
  delete: (path: string, version = -1): MultiOp => ({ type: 2, request: { path, version } }),
  setData: (path: string, data: Data, version = -1): MultiOp => ({ type: 5, request: { path, data: toData(data), version } }),
  check: (path: string, version: number): MultiOp => ({ type: 13, request: { path, version } }),
  getData: (path: string): MultiOp => ({ type: 4, request: { path, watch: false } }),
  getChildren: (path: string): MultiOp => ({ type: 8, request: { path, watch: false } }),
};

export class RawClient {
  sessionId = 0n;
  passwd: Buffer = Buffer.alloc(16);
  negotiatedTimeout = 0;
  /** The readOnly byte of the ConnectResponse (undefined when the server omitted it). */
  serverReadOnly: boolean | undefined;
  /** Every notification received, in arrival order (never consumed). */
  readonly events: WatchEvent[] = [];
  /** Replies whose xid matched no outstanding request (answers to sendRaw bytes), undecoded. */
  readonly strays: Reply<undefined>[] = [];
  /** Resolves when the socket has closed, for whatever reason. */
  readonly closed: Promise<void>;
  isClosed = false;

  private readonly decoder = new FrameDecoder(0x7fffffff);
  private readonly pending: Pending[] = [];
  private readonly authPending: Pending[] = [];
  private handshakeDone = false;
  private onHandshake: ((payload: Buffer) => void) | undefined;
  private nextXid = 1;
  private received = 0;
  private eventCursor = 0;
  private eventWaiters: Array<() => void> = [];
  private readonly requestTimeoutMs: number;

  private constructor(private readonly socket: Socket, opts: ConnectOptions) {
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.once('close', () => this.onClose());
  }

  /** Opens a TCP connection to "host:port" and completes the session handshake. */
  static async connect(hostPort: string, opts: ConnectOptions = {}): Promise<RawClient> {
    const i = hostPort.lastIndexOf(':');
    const socket = tcpConnect({ host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) });
    const client = new RawClient(socket, opts);
    const payload = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no ConnectResponse from ${hostPort} within ${opts.connectTimeoutMs ?? 10_000} ms`));
      }, opts.connectTimeoutMs ?? 10_000);
      client.onHandshake = (p) => {
        clearTimeout(timer);
        resolve(p);
      };
      void client.closed.then(() => {
        clearTimeout(timer);
        reject(new Error(`connection to ${hostPort} closed before the ConnectResponse`));
      });
      socket.once('connect', () => {
        const w = JuteWriter.forFrame(64);
        encodeConnectRequest(w, {
          protocolVersion: 0,
          lastZxidSeen: opts.lastZxidSeen ?? 0n,
          timeOut: opts.timeoutMs ?? 10_000,
          sessionId: opts.sessionId ?? 0n,
          passwd: opts.passwd ?? Buffer.alloc(16),
          readOnly: 'readOnly' in opts ? opts.readOnly : false,
        });
        socket.write(w.frame());
      });
    });
    const res = decodeConnectResponse(new JuteReader(payload));
    client.sessionId = res.sessionId;
    client.passwd = res.passwd;
    client.negotiatedTimeout = res.timeOut;
    client.serverReadOnly = res.readOnly;
    if (res.timeOut <= 0) {
      client.destroy();
      throw new Error(`session 0x${BigInt.asUintN(64, opts.sessionId ?? 0n).toString(16)} expired or invalid (ConnectResponse timeOut ${res.timeOut})`);
    }
    return client;
  }

  get sessionIdHex(): string {
    return BigInt.asUintN(64, this.sessionId).toString(16);
  }

  /**
   * Sends one request and resolves with its reply. `body` is the request record for `type`
   * (encoded with the op table), or a Buffer appended raw after the RequestHeader (for unknown
   * opcodes and malformed bodies). Replies come back in request order, as ZooKeeper guarantees.
   */
  request<T = any>(type: number, body?: unknown, xid?: number): Promise<Reply<T>> {
    const spec = opSpec(type);
    const id = xid ?? (type === OpCode.ping ? Xid.PING : type === OpCode.auth ? Xid.AUTH : this.takeXid());
    let frame: Buffer;
    if (Buffer.isBuffer(body)) {
      const w = JuteWriter.forFrame(12 + body.length);
      w.int(id).int(type).raw(body);
      frame = w.frame();
    } else if (body !== undefined && spec) {
      frame = encodeRequestFrame(id, type, spec.request as Codec<unknown>, body);
    } else {
      frame = encodeRequestFrame(id, type);
    }
    return new Promise<Reply<T>>((resolve, reject) => {
      if (this.isClosed) {
        reject(new Error(`connection closed; cannot send ${spec?.name ?? type}`));
        return;
      }
      const queue = id === Xid.AUTH ? this.authPending : this.pending;
      const entry: Pending = {
        xid: id,
        type,
        resolve,
        reject,
        timer: setTimeout(() => {
          const at = queue.indexOf(entry);
          if (at >= 0) queue.splice(at, 1);
          reject(new Error(`no reply to ${spec?.name ?? type} (xid ${id}) within ${this.requestTimeoutMs} ms`));
        }, this.requestTimeoutMs),
      };
      queue.push(entry);
      this.socket.write(frame);
    });
  }

  /** Writes bytes as they are (no framing added, no reply expected). */
  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves with the next notification not yet taken by nextEvent (also those already in `events`). */
  async nextEvent(timeoutMs = 5000): Promise<WatchEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.eventCursor >= this.events.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no watch event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.eventWaiters.push(done);
      });
    }
    return this.events[this.eventCursor++]!;
  }

  /** Notifications received but not yet taken by nextEvent; marks them taken. */
  takeEvents(): WatchEvent[] {
    const out = this.events.slice(this.eventCursor);
    this.eventCursor = this.events.length;
    return out;
  }

  ping(): Promise<Reply<undefined>> {
    return this.request(OpCode.ping);
  }

  auth(scheme: string, auth: Data): Promise<Reply<undefined>> {
    return this.request(OpCode.auth, { type: 0, scheme, auth: toData(auth) });
  }

  /** Sends closeSession, waits for its reply and for the server to close the socket. */
  async close(waitMs = 5000): Promise<Reply<undefined> | undefined> {
    if (this.isClosed) return undefined;
    let reply: Reply<undefined> | undefined;
    try {
      reply = await this.request(OpCode.closeSession);
    } catch {
      // connection already gone
    }
    const timer = setTimeout(() => this.socket.destroy(), waitMs);
    await this.closed;
    clearTimeout(timer);
    return reply;
  }

  /** Drops the socket without closeSession (the session lives on until it expires). */
  destroy(): void {
    this.socket.destroy();
  }

  // ---- convenience wrappers (opcodes chosen like the Java client) ----

  create(path: string, data: Data, opts: CreateOptions = {}): Promise<Reply<{ path: string; stat?: Stat }>> {
    const { type, request } = mop.create(path, data, opts);
    return this.request(type, request);
  }
  delete(path: string, version = -1): Promise<Reply<undefined>> {
    return this.request(OpCode.delete, { path, version });
  }
  exists(path: string, watch = false): Promise<Reply<{ stat: Stat }>> {
    return this.request(OpCode.exists, { path, watch });
  }
  getData(path: string, watch = false): Promise<Reply<{ data: Buffer | null; stat: Stat }>> {
    return this.request(OpCode.getData, { path, watch });
  }
  setData(path: string, data: Data, version = -1): Promise<Reply<{ stat: Stat }>> {
    return this.request(OpCode.setData, { path, data: toData(data), version });
  }
  getACL(path: string): Promise<Reply<{ acl: ACL[]; stat: Stat }>> {
    return this.request(OpCode.getACL, { path });
  }
  setACL(path: string, acl: readonly ACL[], version = -1): Promise<Reply<{ stat: Stat }>> {
    return this.request(OpCode.setACL, { path, acl: [...acl], version });
  }
  getChildren(path: string, watch = false): Promise<Reply<{ children: string[] }>> {
    return this.request(OpCode.getChildren, { path, watch });
  }
  getChildren2(path: string, watch = false): Promise<Reply<{ children: string[]; stat: Stat }>> {
    return this.request(OpCode.getChildren2, { path, watch });
  }
  sync(path: string): Promise<Reply<{ path: string }>> {
    return this.request(OpCode.sync, { path });
  }
  multi(ops: MultiOp[]): Promise<Reply<MultiResult[]>> {
    return this.request(OpCode.multi, ops);
  }
  multiRead(ops: MultiOp[]): Promise<Reply<MultiResult[]>> {
    return this.request(OpCode.multiRead, ops);
  }
  getAllChildrenNumber(path: string): Promise<Reply<{ totalNumber: number }>> {
    return this.request(OpCode.getAllChildrenNumber, { path });
  }
  getEphemerals(prefixPath: string | null): Promise<Reply<{ ephemerals: string[] }>> {
    return this.request(OpCode.getEphemerals, { prefixPath });
  }
  whoAmI(): Promise<Reply<{ clientInfo: Array<{ authScheme: string; user: string }> }>> {
    return this.request(OpCode.whoAmI);
  }
  addWatch(path: string, mode: number): Promise<Reply<{ err: number }>> {
    return this.request(OpCode.addWatch, { path, mode });
  }
  checkWatches(path: string, type: number): Promise<Reply<undefined>> {
    return this.request(OpCode.checkWatches, { path, type });
  }
  removeWatches(path: string, type: number): Promise<Reply<undefined>> {
    return this.request(OpCode.removeWatches, { path, type });
  }
  setWatches2(w: {
    relativeZxid: bigint; dataWatches?: string[]; existWatches?: string[]; childWatches?: string[];
    persistentWatches?: string[]; persistentRecursiveWatches?: string[];
  }): Promise<Reply<undefined>> {
    return this.request(OpCode.setWatches2, {
      relativeZxid: w.relativeZxid, dataWatches: w.dataWatches ?? [], existWatches: w.existWatches ?? [],
      childWatches: w.childWatches ?? [], persistentWatches: w.persistentWatches ?? [],
      persistentRecursiveWatches: w.persistentRecursiveWatches ?? [],
    });
  }

  // ---- input ----

  private takeXid(): number {
    const xid = this.nextXid;
    this.nextXid = xid >= 0x7ffffffe ? 1 : xid + 1;
    return xid;
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      const seq = ++this.received;
      if (!this.handshakeDone) {
        this.handshakeDone = true;
        this.onHandshake?.(frame);
        continue;
      }
      this.onFrame(frame, seq);
    }
  }

  private onFrame(frame: Buffer, seq: number): void {
    const r = new JuteReader(frame);
    const header = ReplyHeader.decode(r);
    if (header.xid === Xid.WATCHER_EVENT) {
      const ev = WatcherEvent.decode(r);
      this.events.push({ ...ev, zxid: header.zxid, seq });
      for (const wake of this.eventWaiters.splice(0)) wake();
      return;
    }
    const queue = header.xid === Xid.AUTH ? this.authPending : this.pending;
    if (!queue.some((p) => p.xid === header.xid)) {
      // A reply nobody waits for (e.g. to bytes sent with sendRaw).
      this.strays.push({ header, raw: frame, seq });
      return;
    }
    const entry = queue.shift()!;
    clearTimeout(entry.timer);
    if (entry.xid !== header.xid) {
      entry.reject(new Error(`reply out of order: expected xid ${entry.xid}, got ${header.xid} (err ${header.err})`));
      return;
    }
    let body: unknown;
    const spec = opSpec(entry.type);
    if (header.err === 0 && r.remaining > 0 && spec) {
      try {
        body = spec.response.decode(r);
      } catch (e) {
        entry.reject(new Error(`undecodable ${spec.name} reply: ${(e as Error).message}; raw ${frame.toString('hex')}`));
        return;
      }
    }
    entry.resolve({ header, body, raw: frame, seq });
  }

  private onClose(): void {
    this.isClosed = true;
    for (const entry of [...this.pending.splice(0), ...this.authPending.splice(0)]) {
      clearTimeout(entry.timer);
      entry.reject(new Error(`connection closed before the reply to ${opSpec(entry.type)?.name ?? entry.type} (xid ${entry.xid})`));
    }
    for (const wake of this.eventWaiters.splice(0)) wake();
  }
}
