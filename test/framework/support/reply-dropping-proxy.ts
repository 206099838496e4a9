// A TCP proxy that loses one reply: requests matching an armed predicate are forwarded to the
// server (which applies them), but when the server's reply to that request comes back it is
// dropped and the connection is cut both ways — the client sees a connection loss between the
// send and the reply, exactly the case protection mode and idempotent ops exist for. It can also
// drop all connections and refuse new ones (to keep a client away for a while).
import { connect, createServer, type Socket } from 'node:net';
import { listenOnLoopback } from '../../support/ports.js';
import { FrameSplitter } from '../../support/recording-proxy.js';

/** What the predicate sees of a client request: its op code and the frame payload after the 8-byte header. */
export interface RequestFrame {
  readonly xid: number;
  readonly opCode: number;
  readonly body: Buffer;
}

export interface ReplyDroppingProxy {
  readonly connectString: string;
  /** Drops the reply to the next request matching `predicate`; resolves once it was dropped (and the connection cut). */
  dropReplyTo(predicate: (request: RequestFrame) => boolean): Promise<RequestFrame>;
  /** Closes every proxied connection. */
  dropConnections(): void;
  /** New connections are closed at once while on. */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

export async function startReplyDroppingProxy(target: { host?: string; port: number }): Promise<ReplyDroppingProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let armed: { predicate: (r: RequestFrame) => boolean; done: (r: RequestFrame) => void } | undefined;
  let refusing = false;

  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: target.host ?? '127.0.0.1', port: target.port });
    upstream.on('error', () => undefined);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const pair = { client, upstream };
    pairs.add(pair);
    const toDrop = new Map<number, RequestFrame>();
    const c2s = new FrameSplitter();
    const s2c = new FrameSplitter();
    let c2sFirst = true;
    let s2cFirst = true;
    const cut = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      for (const frame of c2s.push(chunk)) {
        if (c2sFirst) c2sFirst = false; // ConnectRequest
        else if (armed && frame.length >= 12) {
          const request = { xid: frame.readInt32BE(4), opCode: frame.readInt32BE(8), body: frame.subarray(12) };
          if (armed.predicate(request)) {
            toDrop.set(request.xid, request);
          }
        }
        upstream.write(frame);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const frame of s2c.push(chunk)) {
        if (s2cFirst) s2cFirst = false; // ConnectResponse
        else if (frame.length >= 8) {
          const dropped = toDrop.get(frame.readInt32BE(4));
          if (dropped && armed) {
            const { done } = armed;
            armed = undefined;
            cut();
            done(dropped);
            return;
          }
        }
        client.write(frame);
      }
    });
    client.on('close', cut);
    upstream.on('close', cut);
  });
  const port = await listenOnLoopback(server);

  return {
    connectString: `127.0.0.1:${port}`,
    dropReplyTo(predicate) {
      return new Promise<RequestFrame>((resolve) => {
        armed = { predicate, done: resolve };
      });
    },
    dropConnections() {
      for (const p of [...pairs]) {
        p.client.destroy();
        p.upstream.destroy();
      }
    },
    refuse(on) {
      refusing = on;
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

/** The path a create / create2 / createContainer / createTTL request body starts with. */
export function requestPath(body: Buffer): string {
  const length = body.readInt32BE(0);
  return body.subarray(4, 4 + length).toString('utf8');
}

/** Op codes of the create family. */
export const CREATE_OPS: ReadonlySet<number> = new Set([1, 15, 19, 21]);
