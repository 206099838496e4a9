// One chunk holding complete requests and then a bad length prefix (negative, or over
// jute.maxbuffer): ZooKeeper processes the requests it has read before the bad length, then
// closes the connection (NettyServerCnxn.receiveMessage "Len error"). Checked on Apache
// ZooKeeper 3.8 standalone and the zabkit standalone server; the requests' effects must be there
// afterwards, seen from another session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodies, frame, OP, request, session } from './raw-zk.js';
import { startApacheCounterpart, ZABKIT_STANDALONE, type InteropTarget, type InteropTargetSpec } from './targets.js';

const APACHE_STANDALONE: InteropTargetSpec = {
  name: 'apache-3.8', mode: 'standalone', start: () => startApacheCounterpart('standalone'),
};
/** Generous: the connection must close, but the machine is slow and shared. */
const CLOSE_BOUND_MS = 10_000;

describe.each([ZABKIT_STANDALONE, APACHE_STANDALONE])('$name: requests before a bad length prefix', (spec) => {
  let server: InteropTarget | undefined;
  beforeAll(async () => {
    server = await spec.start();
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  /** A raw session whose next chunk is `payloads` as frames, then `badLength` and a few bytes. */
  async function sendThenBadLength(payloads: Buffer[], badLength: number): Promise<void> {
    const { conn } = await session(server!.port, { timeoutMs: 4000, readOnly: false });
    const len = Buffer.alloc(4);
    len.writeInt32BE(badLength);
    conn.write(Buffer.concat([...payloads.map(frame), len, Buffer.alloc(16, 0x41)]));
    const { closed } = await conn.waitClosed(CLOSE_BOUND_MS);
    conn.destroy();
    expect(closed, 'the server closes the connection').toBe(true);
  }

  /** Error code of getData on `path` from a fresh session, and the data when it exists. */
  async function readBack(path: string): Promise<{ err: number; data?: string }> {
    const { conn } = await session(server!.port, { timeoutMs: 4000, readOnly: false });
    try {
      const r = await conn.call(1, OP.getData, bodies.pathWatch(path));
      if (typeof r === 'string') throw new Error(`getData ${path}: ${r}`);
      if (r.err !== 0) return { err: r.err };
      return { err: 0, data: r.body.subarray(4, 4 + r.body.readInt32BE(0)).toString() };
    } finally {
      conn.write(frame(request(2, OP.closeSession)));
      await conn.waitClosed(CLOSE_BOUND_MS);
      conn.destroy();
    }
  }

  it.each([
    ['over jute.maxbuffer', 0x100000],
    ['negative', -1],
  ])('a length %s: the creates before it are applied, then the connection closes', async (name, badLength) => {
    const base = `/framing-${name.replace(/\W+/g, '-')}`;
    await sendThenBadLength([
      request(1, OP.create, bodies.create(base, Buffer.from('first'), 0)),
      request(2, OP.create, bodies.create(`${base}/child`, Buffer.from('second'), 0)),
    ], badLength);
    expect(await readBack(base)).toEqual({ err: 0, data: 'first' });
    expect(await readBack(`${base}/child`)).toEqual({ err: 0, data: 'second' });
  });
});
