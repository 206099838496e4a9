// A TCP proxy in front of a ZooKeeper server that shows a client the reads a busy client gets:
// each watch notification (xid -1) is delivered on its own, and the frames the server sends
// after it are held for a moment and delivered together, in one write. The client thus handles
// the notification (and sends the re-read it causes) before it sees the reply to the write that
// fired it, and then gets that reply and the re-read's reply in the same read. Code that waits
// for the effect of a notification only after its write's promise resolved can miss it this
// way (a hot stream emits first); with load this happens by chance, here every time.
import { connect, createServer, type Socket } from 'node:net';
import type { Backend, BackendSpec } from '../client/support/backends.js';
import { listenOnLoopback } from './ports.js';

/** How long the frames after a notification are held. */
const HOLD_MS = 50;

export interface CoalescingProxy {
  readonly connectString: string;
  close(): Promise<void>;
}

export async function startCoalescingProxy(target: { host?: string; port: number }): Promise<CoalescingProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = createServer((client) => {
    const upstream = connect({ host: target.host ?? '127.0.0.1', port: target.port });
    track(client);
    track(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    let pending = Buffer.alloc(0);
    let held: Buffer[] | undefined;
    upstream.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      // Length-prefixed frames; the first is the ConnectResponse (its first int is a protocol version, never -1).
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = 4 + pending.readInt32BE(0);
        const frame = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (held) {
          held.push(frame);
        } else if (frame.length >= 8 && frame.readInt32BE(4) === -1) {
          client.write(frame);
          const batch: Buffer[] = [];
          held = batch;
          setTimeout(() => {
            held = undefined;
            if (batch.length > 0) client.write(Buffer.concat(batch));
          }, HOLD_MS);
        } else {
          client.write(frame);
        }
      }
    });
  });
  const port = await listenOnLoopback(server);
  return {
    connectString: `127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `spec`'s backend with clients going through a coalescing proxy to its first server. */
export function behindCoalescingProxy(spec: BackendSpec): BackendSpec {
  return {
    name: `${spec.name} behind a coalescing proxy`,
    async start(): Promise<Backend> {
      const backend = await spec.start();
      const proxy = await startCoalescingProxy({ port: backend.servers[0]!.port });
      return {
        ...backend,
        name: `${backend.name} behind a coalescing proxy`,
        connectString: proxy.connectString,
        stop: async () => {
          await proxy.close();
          await backend.stop();
        },
      };
    },
  };
}
