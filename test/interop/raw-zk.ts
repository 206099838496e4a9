// A deliberately small, independent ZooKeeper wire client for bad-input tests: it builds frames
// by hand (so it can also build wrong ones), reads reply frames, and reports how a connection
// ended. Nothing here shares code with the server's protocol/ package.
import { connect, type Socket } from 'node:net';

export const OP = {
  create: 1, delete: 2, exists: 3, getData: 4, setData: 5, getACL: 6, setACL: 7, getChildren: 8, sync: 9,
  ping: 11, getChildren2: 12, check: 13, multi: 14, create2: 15, reconfig: 16, checkWatches: 17,
  removeWatches: 18, createContainer: 19, deleteContainer: 20, createTTL: 21, multiRead: 22, auth: 100,
  setWatches: 101, sasl: 102, getEphemerals: 103, getAllChildrenNumber: 104, setWatches2: 105, addWatch: 106,
  whoAmI: 107, closeSession: -11,
} as const;

/** Big-endian jute writer. */
export class Out {
  private parts: Buffer[] = [];
  int(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v | 0);
    this.parts.push(b);
    return this;
  }
  long(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt.asIntN(64, v));
    this.parts.push(b);
    return this;
  }
  bool(v: boolean): this {
    this.parts.push(Buffer.from([v ? 1 : 0]));
    return this;
  }
  raw(b: Buffer | Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }
  /** buffer/ustring: int length (-1 for null) + bytes. */
  bytes(b: Buffer | null): this {
    if (b === null) return this.int(-1);
    return this.int(b.length).raw(b);
  }
  str(s: string | null): this {
    return this.bytes(s === null ? null : Buffer.from(s, 'utf8'));
  }
  buf(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Length-prefixes a payload. */
export function frame(payload: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(payload.length);
  return Buffer.concat([len, payload]);
}

export interface ConnectOptions {
  timeoutMs?: number;
  sessionId?: bigint;
  passwd?: Buffer;
  lastZxidSeen?: bigint;
  /** undefined: omit the byte (pre-3.4 client). */
  readOnly?: boolean;
}

export function connectRequest(o: ConnectOptions = {}): Buffer {
  const w = new Out().int(0).long(o.lastZxidSeen ?? 0n).int(o.timeoutMs ?? 30_000).long(o.sessionId ?? 0n).bytes(o.passwd ?? Buffer.alloc(16));
  if (o.readOnly !== undefined) w.bool(o.readOnly);
  return w.buf();
}

export function request(xid: number, type: number, body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([new Out().int(xid).int(type).buf(), body]);
}

const ACL_OPEN = new Out().int(1).int(31).str('world').str('anyone').buf();
export const bodies = {
  path: (p: string | Buffer) => (typeof p === 'string' ? new Out().str(p) : new Out().bytes(p)).buf(),
  pathWatch: (p: string | Buffer, watch = false) => Buffer.concat([bodies.path(p), new Out().bool(watch).buf()]),
  create: (p: string | Buffer, data: Buffer | null = null, flags = 0) =>
    Buffer.concat([bodies.path(p), new Out().bytes(data).raw(ACL_OPEN).int(flags).buf()]),
  setData: (p: string | Buffer, data: Buffer | null, version = -1) => Buffer.concat([bodies.path(p), new Out().bytes(data).int(version).buf()]),
  delete: (p: string | Buffer, version = -1) => Buffer.concat([bodies.path(p), new Out().int(version).buf()]),
};

export interface Reply {
  xid: number;
  zxid: bigint;
  err: number;
  body: Buffer;
}

export interface ConnectResult {
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** Length of the ConnectResponse payload (37 normally, 36 for an old client). */
  length: number;
}

/** One raw TCP connection: queued inbound frames, and whether/when the server closed it. */
export class RawConn {
  private inbound = Buffer.alloc(0);
  private frames: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private closedFlag = false;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.inbound = Buffer.concat([this.inbound, chunk]);
      for (;;) {
        if (this.inbound.length < 4) break;
        const len = this.inbound.readInt32BE(0);
        if (len < 0 || this.inbound.length < 4 + len) break;
        this.frames.push(this.inbound.subarray(4, 4 + len));
        this.inbound = this.inbound.subarray(4 + len);
      }
      this.waiter?.();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedFlag = true;
        this.waiter?.();
        resolve();
      }),
    );
  }

  static open(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${port}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RawConn(socket));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Bytes received that do not (yet) form a frame. */
  get strayBytes(): number {
    return this.inbound.length;
  }

  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Half-closes our side (FIN): a server must then finish and close too. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The next whole frame, or 'closed' if the server closed first, or 'timeout'. */
  next(timeoutMs: number): Promise<Buffer | 'closed' | 'timeout'> {
    return new Promise((resolve) => {
      const settle = (): void => {
        const f = this.frames.shift();
        if (f) return done(f);
        if (this.closedFlag) return done('closed');
      };
      const done = (v: Buffer | 'closed' | 'timeout'): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(v);
      };
      const timer = setTimeout(() => done('timeout'), timeoutMs);
      this.waiter = settle;
      settle();
    });
  }

  async nextReply(timeoutMs: number): Promise<Reply | 'closed' | 'timeout'> {
    const f = await this.next(timeoutMs);
    if (!Buffer.isBuffer(f)) return f;
    if (f.length < 16) throw new Error(`short reply frame (${f.length} bytes): ${f.toString('hex')}`);
    return { xid: f.readInt32BE(0), zxid: f.readBigInt64BE(4), err: f.readInt32BE(12), body: f.subarray(16) };
  }

  /** Waits for the server to close; true if it did within the bound. Frames left unread are returned. */
  async waitClosed(timeoutMs: number): Promise<{ closed: boolean; frames: Buffer[] }> {
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    const r = await Promise.race([this.closed.then(() => 'closed' as const), timer]);
    const frames = this.frames.splice(0);
    return { closed: r === 'closed', frames };
  }

  /** Sends a ConnectRequest and reads the ConnectResponse. */
  async handshake(o: ConnectOptions = {}, timeoutMs = 3000): Promise<ConnectResult | 'closed' | 'timeout'> {
    this.write(frame(connectRequest(o)));
    const f = await this.next(timeoutMs);
    if (!Buffer.isBuffer(f)) return f;
    const pwLen = f.readInt32BE(16);
    return { timeOut: f.readInt32BE(4), sessionId: f.readBigInt64BE(8), passwd: Buffer.from(f.subarray(20, 20 + pwLen)), length: f.length };
  }

  /** Sends one request and waits for the reply with the same xid (skipping notifications). */
  async call(xid: number, type: number, body?: Buffer, timeoutMs = 3000): Promise<Reply | 'closed' | 'timeout'> {
    this.write(frame(request(xid, type, body)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.nextReply(Math.max(1, deadline - Date.now()));
      if (typeof r === 'string') return r;
      if (r.xid === -1) continue; // watch notification
      return r;
    }
  }
}

/** Opens a connection and establishes a new session on it. */
export async function session(port: number, o: ConnectOptions = {}): Promise<{ conn: RawConn; hello: ConnectResult }> {
  const conn = await RawConn.open(port);
  const hello = await conn.handshake(o);
  if (typeof hello === 'string') throw new Error(`handshake: ${hello}`);
  return { conn, hello };
}
