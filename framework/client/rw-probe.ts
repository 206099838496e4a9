// Asks a server whether it serves reads and writes, with the "isro" four-letter word (answer
// "rw" or "ro"). Used while connected to a read-only server, to find a read-write one.
// Counterpart: ClientCnxn.SendThread.pingRwServer.

import { connect } from 'node:net';
import type { HostPort } from './connect-string.js';

export function isReadWriteServer(host: HostPort, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host.host, port: host.port });
    let reply = '';
    let settled = false;
    const finish = (rw: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(rw);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    signal?.addEventListener('abort', () => finish(false), { once: true });
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.end('isro'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.startsWith('rw')) finish(true);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(reply.startsWith('rw')));
  });
}
