// The client's Connection against a server that sends good frames and then, in the same write, a
// bad length prefix: like ZooKeeper's ClientCnxnSocket, the frames before the bad length are
// handled (the ConnectResponse, a watch notification), then the connection closes with the
// framing error.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../framework/client/clock.js';
import { Connection, type ConnectionListener, type RawNotification } from '../../framework/client/connection.js';
import {
  encodeConnectResponse, encodeNotificationFrame, FrameTooLargeError, JuteWriter, type ConnectResponse,
} from '../../protocol/index.js';
import { listenOnLoopback } from '../support/ports.js';

const SESSION_ID = 0x0123456789abcdefn;

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server that answers the first bytes it gets with `reply` in one write. */
async function serverSending(reply: Buffer): Promise<number> {
  server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.write(reply));
  });
  return listenOnLoopback(server);
}

function connectResponseFrame(): Buffer {
  const w = JuteWriter.forFrame(48);
  encodeConnectResponse(w, { protocolVersion: 0, timeOut: 30_000, sessionId: SESSION_ID, passwd: Buffer.alloc(16, 7), readOnly: false });
  return w.frame();
}

function lengthPrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** Connects and records what the listener is told, until the connection has closed. */
async function runConnection(port: number, maxBufferBytes = 0xfffff) {
  const seen: Array<['handshake', ConnectResponse] | ['notification', RawNotification] | ['closed', Error, boolean]> = [];
  const listener: ConnectionListener = {
    onHandshake: (_c, response) => void seen.push(['handshake', response]),
    onNotification: (_c, event) => void seen.push(['notification', event]),
    onZxid: () => undefined,
    onClosed: (_c, reason, handshakeDone) => void seen.push(['closed', reason, handshakeDone]),
  };
  let xid = 0;
  const connection = new Connection({
    host: { host: '127.0.0.1', port },
    request: { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false },
    connectTimeoutMs: 10_000,
    maxBufferBytes,
    clock: systemClock,
    nextXid: () => ++xid,
  }, listener);
  await connection.closed;
  return seen;
}

describe('Connection: frames before a bad length prefix', () => {
  it.each([
    ['negative', -1],
    ['over maxBufferBytes', 0x100000],
  ])('a length %s after the ConnectResponse and a notification: both are handled, then it closes', async (_n, badLength) => {
    const port = await serverSending(Buffer.concat([
      connectResponseFrame(),
      encodeNotificationFrame(3, '/watched', 0x42n),
      lengthPrefix(badLength),
      Buffer.alloc(8),
    ]));
    const seen = await runConnection(port);
    expect(seen.map((s) => s[0])).toEqual(['handshake', 'notification', 'closed']);
    expect((seen[0]![1] as ConnectResponse).sessionId).toBe(SESSION_ID);
    expect(seen[1]![1]).toMatchObject({ type: 3, path: '/watched', zxid: 0x42n });
    const [, reason, handshakeDone] = seen[2] as ['closed', Error, boolean];
    expect(reason).toBeInstanceOf(FrameTooLargeError);
    expect((reason as FrameTooLargeError).length).toBe(badLength);
    expect(handshakeDone).toBe(true);
  });

  it('the limit is the connection\'s maxBufferBytes', async () => {
    const port = await serverSending(Buffer.concat([connectResponseFrame(), lengthPrefix(65), Buffer.alloc(65)]));
    const seen = await runConnection(port, 64);
    expect(seen.map((s) => s[0])).toEqual(['handshake', 'closed']);
    expect((seen[1]![1] as FrameTooLargeError).maxBuffer).toBe(64);
  });
});
