// A recording TCP proxy for golden-bytes capture: forwards bytes untouched between clients and a
// target ZooKeeper, reassembles the int32-length-prefixed frames of each direction and records
// every complete frame (length prefix included) as hex, in arrival order. It can also drop all
// connections and hold new ones back, to capture client reconnects.
import { createServer, connect, type Socket } from 'node:net';
import { listenOnLoopback } from './ports.js';

export type Direction = 'c2s' | 's2c';

export interface RecordedFrame {
  /** Index of the proxied connection (0 = first accepted), so reconnects stay distinguishable. */
  conn: number;
  dir: Direction;
  /** The whole frame: 4 length bytes + payload. */
  hex: string;
}

/** Largest frame we try to reassemble; longer "lengths" mean the stream is not framed (e.g. 4lw). */
const MAX_FRAME = 64 * 1024 * 1024;

/** Incremental splitter for int32-BE length-prefixed frames. */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);
  /** Set once a length prefix is impossible; no frames are produced afterwards. */
  unframed = false;

  push(chunk: Buffer): Buffer[] {
    if (this.unframed) return [];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      const len = this.pending.readInt32BE(0);
      if (len < 0 || len > MAX_FRAME) {
        this.unframed = true;
        this.pending = Buffer.alloc(0);
        break;
      }
      if (this.pending.length < 4 + len) break;
      frames.push(Buffer.from(this.pending.subarray(0, 4 + len)));
      this.pending = this.pending.subarray(4 + len);
    }
    return frames;
  }

  /** Bytes received that do not (yet) form a complete frame. */
  get buffered(): number {
    return this.pending.length;
  }
}

export interface RecordingProxy {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** "127.0.0.1:port" — give this to clients instead of the target's address. */
  readonly connectString: string;
  /** Every frame recorded so far (live array). */
  readonly frames: RecordedFrame[];
  /** Returns the frames recorded so far and starts a fresh recording. */
  take(): RecordedFrame[];
  /** Resolves once some recorded frame satisfies `predicate` (checks past frames too). */
  waitForFrame(predicate: (frame: RecordedFrame) => boolean, timeoutMs?: number): Promise<RecordedFrame>;
  /** Abruptly closes every proxied connection (both sides), e.g. to force a client reconnect. */
  dropConnections(): void;
  /** New connections are accepted (and their frames recorded) but not forwarded until release(). */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: { host?: string; port: number }): Promise<RecordingProxy> {
  let frames: RecordedFrame[] = [];
  let nextConn = 0;
  const sockets = new Set<Socket>();
  const waiters = new Set<(frame: RecordedFrame) => void>();

  const record = (frame: RecordedFrame): void => {
    frames.push(frame);
    for (const w of [...waiters]) w(frame);
  };

  const track = (s: Socket): void => {
    s.setNoDelay(true);
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  let held: Array<() => void> | undefined;

  const server = createServer((client) => {
    const conn = nextConn++;
    track(client);
    const c2s = new FrameSplitter();
    const queued: Buffer[] = [];
    let upstream: Socket | undefined;
    let clientEnded = false;
    client.on('data', (chunk: Buffer) => {
      for (const f of c2s.push(chunk)) record({ conn, dir: 'c2s', hex: f.toString('hex') });
      if (upstream) upstream.write(chunk);
      else queued.push(chunk);
    });
    client.once('end', () => (upstream ? upstream.end() : (clientEnded = true)));
    client.once('close', () => upstream?.destroy());
    const open = (): void => {
      if (client.destroyed) return;
      const up = connect({ host: target.host ?? '127.0.0.1', port: target.port });
      upstream = up;
      track(up);
      for (const chunk of queued.splice(0)) up.write(chunk);
      if (clientEnded) up.end();
      const s2c = new FrameSplitter();
      up.on('data', (chunk: Buffer) => {
        for (const f of s2c.push(chunk)) record({ conn, dir: 's2c', hex: f.toString('hex') });
        client.write(chunk);
      });
      up.once('end', () => client.end());
      up.once('close', () => client.destroy());
    };
    if (held) held.push(open);
    else open();
  });

  const port = await listenOnLoopback(server);

  return {
    host: '127.0.0.1',
    port,
    connectString: `127.0.0.1:${port}`,
    get frames() {
      return frames;
    },
    take() {
      const taken = frames;
      frames = [];
      return taken;
    },
    waitForFrame(predicate, timeoutMs = 10_000) {
      const seen = frames.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = (frame: RecordedFrame): void => {
          if (!predicate(frame)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(frame);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`proxy: no matching frame within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    hold() {
      held ??= [];
    },
    release() {
      const pending = held ?? [];
      held = undefined;
      for (const open of pending) open();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
