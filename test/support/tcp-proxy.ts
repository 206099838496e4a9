// A TCP proxy a test controls, for client fault tests: it forwards bytes between clients and a
// target server and can drop every connection, partition (keep sockets open but silently
// discard all bytes both ways, so the client only notices through its read timeout), refuse
// new connections, switch targets, and report the client-to-server frames it forwarded.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { listenOnLoopback } from './ports.js';

export interface ProxyTarget {
  host?: string;
  port: number;
}

export interface ForwardedFrame {
  /** Index of the proxied connection (0 = first accepted). */
  conn: number;
  /** The frame's payload (without its 4-byte length). */
  payload: Buffer;
}

export interface TcpProxy {
  readonly port: number;
  /** "127.0.0.1:port". */
  readonly connectString: string;
  /** Client-to-server frames forwarded so far (the first of each connection is the ConnectRequest). */
  readonly clientFrames: ForwardedFrame[];
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Proxied connections currently open. */
  readonly open: number;
  /** Abruptly closes every proxied connection, both sides. */
  dropConnections(): void;
  /**
   * From now on, bytes in both directions are discarded; sockets stay open. Connections open
   * during a partition stay dead (their streams lost bytes) until an end closes them.
   */
  partition(): void;
  /** New connections forward again. */
  heal(): void;
  /** New connections are closed as soon as they are accepted (like a dead host). */
  refuse(on: boolean): void;
  /** Forward new connections to another target. */
  retarget(target: ProxyTarget): void;
  close(): Promise<void>;
}

export async function startTcpProxy(initial: ProxyTarget): Promise<TcpProxy> {
  let target = initial;
  let partitioned = false;
  let refusing = false;
  let accepted = 0;
  const pairs = new Set<{ client: Socket; upstream: Socket; blackholed: boolean }>();
  const clientFrames: ForwardedFrame[] = [];

  const server: Server = createServer((client) => {
    const conn = accepted++;
    client.on('error', () => undefined);
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: target.host ?? '127.0.0.1', port: target.port });
    upstream.on('error', () => undefined);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const pair = { client, upstream, blackholed: partitioned };
    pairs.add(pair);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (pair.blackholed) return;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const len = pending.readInt32BE(0);
        if (len < 0 || pending.length < 4 + len) break;
        clientFrames.push({ conn, payload: Buffer.from(pending.subarray(4, 4 + len)) });
        pending = pending.subarray(4 + len);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.blackholed) client.write(chunk);
    });
    const teardown = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', teardown);
    upstream.on('close', teardown);
  });
  const port = await listenOnLoopback(server);

  return {
    port,
    connectString: `127.0.0.1:${port}`,
    clientFrames,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    dropConnections() {
      for (const p of [...pairs]) {
        p.client.destroy();
        p.upstream.destroy();
      }
    },
    partition() {
      partitioned = true;
      for (const p of pairs) p.blackholed = true;
    },
    heal() {
      partitioned = false;
    },
    refuse(on) {
      refusing = on;
    },
    retarget(t) {
      target = t;
    },
    async close() {
      for (const p of [...pairs]) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
