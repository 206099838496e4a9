// Replays the requests of each golden capture (real clients talking to Apache ZooKeeper 3.8)
// against a fresh zabkit server and compares every reply and notification: xid, error code,
// zxid and decoded body — modulo session ids, wall-clock times and 3.8's notification zxid −1.

import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeConnectResponse } from '../../protocol/handshake.js';
import { FrameDecoder } from '../../protocol/framing.js';
import { JuteReader } from '../../protocol/jute/reader.js';
import { startServer, type RunningServer } from '../../server/index.js';
import { decodeReplyFrame, decodeRequestFrame, loadGoldens, type Golden } from '../support/golden.js';

/** Captures whose replay depends on more than request order (timers, several connections). */
const NOT_REPLAYABLE: Record<string, string> = {
  'java-container-ttl-reap': 'depends on the reaper timer',
  'java-reconnect-setwatches': 'needs ZooKeeper session ids in later handshakes',
};

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function normalize(value: unknown, sessionId: bigint): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => normalize(v, sessionId));
    return items.every((v) => typeof v === 'string') ? [...(items as string[])].sort() : items;
  }
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'ctime' || k === 'mtime') out[k] = 'time';
      else if (k === 'ephemeralOwner') out[k] = v === 0n ? 0n : v === sessionId ? 'own session' : 'other session';
      else out[k] = normalize(v, sessionId);
    }
    return out;
  }
  return value;
}

class Conn {
  readonly frames: Buffer[] = [];
  private readonly decoder = new FrameDecoder();
  private waiter: (() => void) | undefined;
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.decoder.push(chunk)) this.frames.push(Buffer.concat([lengthPrefix(f.length), f]));
      this.waiter?.();
    });
  }
  async waitFor(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} frames, got ${this.frames.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => { clearTimeout(t); resolve(); };
      });
    }
  }
}

function lengthPrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

async function replay(golden: Golden): Promise<void> {
  server = await startServer({
    host: '127.0.0.1', port: 0, extendedTypesEnabled: true, fourLetterWords: '*', maxClientCnxns: 0,
  });
  const frames = golden.frames.filter((f) => f.conn === 0);
  const socket = connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const conn = new Conn(socket);
  try {
    let expectedCount = 0;
    const expected: Buffer[] = [];
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      const bytes = Buffer.from(f.hex, 'hex');
      if (f.dir === 's2c') {
        expected.push(bytes);
        continue;
      }
      socket.write(bytes);
      let j = i + 1;
      while (j < frames.length && frames[j]!.dir === 's2c') j++;
      expectedCount += j - i - 1;
      // A closeSession's reply is followed by the close; the last frames may race it.
      await conn.waitFor(expectedCount);
    }
    compare(golden.name, expected, conn.frames, frames);
  } finally {
    socket.destroy();
  }
}

function compare(name: string, expected: Buffer[], actual: Buffer[], frames: Golden['frames']): void {
  expect(actual.length, `${name}: number of frames`).toBe(expected.length);
  const zk = decodeConnectResponse(new JuteReader(expected[0]!, 4));
  const ours = decodeConnectResponse(new JuteReader(actual[0]!, 4));
  expect(ours.timeOut, `${name}: negotiated timeout`).toBe(zk.timeOut);
  expect(ours.readOnly, `${name}: readOnly byte`).toBe(zk.readOnly);
  const pendingZk = new Map<number, number>();
  const pendingOurs = new Map<number, number>();
  for (const f of frames) {
    if (f.dir !== 'c2s') continue;
    const bytes = Buffer.from(f.hex, 'hex');
    if (bytes.length - 4 === 45) continue; // the ConnectRequest
    const req = decodeRequestFrame(bytes);
    pendingZk.set(req.xid, req.type);
    pendingOurs.set(req.xid, req.type);
  }
  for (let i = 1; i < expected.length; i++) {
    const a = decodeReplyFrame(expected[i]!, pendingZk);
    const b = decodeReplyFrame(actual[i]!, pendingOurs);
    const what = `${name} frame ${i} (xid ${a.xid}, op ${a.type})`;
    expect(b.xid, what).toBe(a.xid);
    expect(b.err, what).toBe(a.err);
    if (a.xid !== -1) expect(b.zxid, `${what} zxid`).toBe(a.zxid);
    expect(normalize(b.body, ours.sessionId), what).toEqual(normalize(a.body, zk.sessionId));
  }
}

describe('golden replay against zabkit', () => {
  const goldens = loadGoldens().filter((g) => !(g.name in NOT_REPLAYABLE));
  it.each(goldens.map((g) => [g.name, g] as const))('%s answers like ZooKeeper 3.8', async (_name, golden) => {
    await replay(golden);
  });
});
