// Hostile and broken input against a RUNNING zabkit server, while a healthy node-zookeeper-client
// session holds a watch and another keeps writing. Every bad connection must end in the reply
// ZooKeeper gives (checked against Apache ZooKeeper 3.8 when these cases were written) or a
// clean close, within a bound; afterwards the healthy session, its watch, writes and `srvr` work.
// On the standalone server and on a follower of a 3-member zabkit ensemble (+ observer).
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fourLetterWord } from '../support/apache-zookeeper.js';
import { connectNzk, watchProbe, withTimeout, zookeeper, type Nzk, type WatchProbe } from './nzk.js';
import { ZABKIT_FOLLOWER, ZABKIT_STANDALONE, type InteropTarget } from './targets.js';
import { bodies, connectRequest, frame, OP, Out, RawConn, request, session } from './raw-zk.js';

const MAX_BUFFER = 0xfffff;
/** Every bad connection must be answered or closed within this. */
const BOUND_MS = 2000;
const RUNS = Number(process.env.BAD_INPUT_RUNS ?? 200);
const SEED = process.env.BAD_INPUT_SEED === undefined ? undefined : Number(process.env.BAD_INPUT_SEED);

let server: InteropTarget;
let healthy: Nzk;
let busy: Nzk;
let healthyWatch: WatchProbe;
const healthyStates: string[] = [];
let busyLoop: { stop(): Promise<{ ok: number; failed: unknown[] }> } | undefined;

/** Writes from `busy` every few ms until stopped; every one must succeed. */
function startBusyLoop(): { stop(): Promise<{ ok: number; failed: unknown[] }> } {
  let running = true;
  let ok = 0;
  const failed: unknown[] = [];
  const done = (async () => {
    for (let i = 0; running; i++) {
      try {
        await busy.setData('/bad-busy', Buffer.from(String(i)));
        ok++;
      } catch (e) {
        failed.push(e);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { ok, failed };
    },
  };
}

type Reply = { xid: number; zxid: bigint; err: number };
const parseReply = (f: Buffer): Reply => ({ xid: f.readInt32BE(0), zxid: f.readBigInt64BE(4), err: f.readInt32BE(12) });
const closeSessionFrame = (): Buffer => frame(request(999_999, OP.closeSession));

/** Opens an established raw session (short timeout, so abandoned ones go quickly). */
async function established(): Promise<RawConn> {
  const { conn } = await session(server.port, { timeoutMs: 4000, readOnly: false });
  return conn;
}

/** Everything the server sent until it closed; fails if it did not close within the bound. */
async function expectClosed(conn: RawConn, what: string): Promise<Reply[]> {
  const { closed, frames } = await conn.waitClosed(BOUND_MS);
  conn.destroy();
  if (!closed) throw new Error(`${what}: connection still open after ${BOUND_MS} ms`);
  expect(conn.strayBytes, `${what}: partial frame before close`).toBe(0);
  return frames.map(parseReply);
}

/** The reply to `xid` (notifications skipped), then proves the connection still serves a ping. */
async function expectReplyAndOpen(conn: RawConn, xid: number, what: string): Promise<Reply> {
  const r = await conn.nextReply(BOUND_MS);
  if (typeof r === 'string') throw new Error(`${what}: ${r} instead of a reply`);
  let reply = r;
  while (reply.xid === -1) {
    const n = await conn.nextReply(BOUND_MS);
    if (typeof n === 'string') throw new Error(`${what}: ${n} instead of a reply`);
    reply = n;
  }
  expect(reply.xid, what).toBe(xid);
  const ping = await conn.call(-2, OP.ping, undefined, BOUND_MS);
  if (typeof ping === 'string') throw new Error(`${what}: connection unusable after the reply (${ping})`);
  expect(ping.xid).toBe(-2);
  conn.write(closeSessionFrame());
  await conn.waitClosed(BOUND_MS);
  conn.destroy();
  return reply;
}

// Ops the server knows; everything else is "unknown" (ZooKeeper answers -6, then closes).
const KNOWN_OPS = new Set<number>(Object.values(OP).map(Number).concat([-10]));

const ACL_VECTOR = new Out().int(1).int(31).str('world').str('anyone').buf();
/** A valid body per op, and how a strictly truncated copy must be answered. */
const TRUNCATABLE: { op: number; name: string; body: Buffer; expect: 'marshalling' | 'close' | 'unimplemented-close' }[] = [
  { op: OP.create, name: 'create', body: bodies.create('/bad-t', Buffer.from('d'), 0), expect: 'marshalling' },
  { op: OP.create2, name: 'create2', body: bodies.create('/bad-t', Buffer.from('d'), 1), expect: 'marshalling' },
  { op: OP.createContainer, name: 'createContainer', body: bodies.create('/bad-t', null, 4), expect: 'marshalling' },
  { op: OP.createTTL, name: 'createTTL', body: Buffer.concat([bodies.create('/bad-t', null, 5), new Out().long(5000n).buf()]), expect: 'marshalling' },
  { op: OP.delete, name: 'delete', body: bodies.delete('/bad-t', 3), expect: 'marshalling' },
  { op: OP.exists, name: 'exists', body: bodies.pathWatch('/bad-t', true), expect: 'marshalling' },
  { op: OP.getData, name: 'getData', body: bodies.pathWatch('/bad-t', true), expect: 'marshalling' },
  { op: OP.setData, name: 'setData', body: bodies.setData('/bad-t', Buffer.from('xyz'), 2), expect: 'marshalling' },
  { op: OP.getACL, name: 'getACL', body: bodies.path('/bad-t'), expect: 'marshalling' },
  { op: OP.setACL, name: 'setACL', body: Buffer.concat([bodies.path('/bad-t'), ACL_VECTOR, new Out().int(0).buf()]), expect: 'marshalling' },
  { op: OP.getChildren, name: 'getChildren', body: bodies.pathWatch('/bad-t', true), expect: 'marshalling' },
  { op: OP.getChildren2, name: 'getChildren2', body: bodies.pathWatch('/bad-t', true), expect: 'marshalling' },
  { op: OP.sync, name: 'sync', body: bodies.path('/bad-t'), expect: 'marshalling' },
  {
    op: OP.multi,
    name: 'multi',
    body: new Out().int(OP.create).bool(false).int(-1).raw(bodies.create('/bad-t')).int(-1).bool(true).int(-1).buf(),
    expect: 'marshalling',
  },
  {
    op: OP.multiRead,
    name: 'multiRead',
    body: new Out().int(OP.getData).bool(false).int(-1).raw(bodies.pathWatch('/bad-t')).int(-1).bool(true).int(-1).buf(),
    expect: 'marshalling',
  },
  { op: OP.reconfig, name: 'reconfig', body: new Out().str('a').str('b').str('c').long(-1n).buf(), expect: 'marshalling' },
  { op: OP.checkWatches, name: 'checkWatches', body: new Out().str('/bad-t').int(3).buf(), expect: 'marshalling' },
  { op: OP.removeWatches, name: 'removeWatches', body: new Out().str('/bad-t').int(3).buf(), expect: 'marshalling' },
  // (ZooKeeper 3.8 reads deleteContainer's whole raw body as the path, so it answers -8 here)
  { op: OP.deleteContainer, name: 'deleteContainer', body: new Out().bytes(Buffer.from('/bad-t')).buf(), expect: 'marshalling' },
  { op: OP.getEphemerals, name: 'getEphemerals', body: new Out().str('/bad-t').buf(), expect: 'marshalling' },
  { op: OP.getAllChildrenNumber, name: 'getAllChildrenNumber', body: bodies.path('/bad-t'), expect: 'marshalling' },
  { op: OP.addWatch, name: 'addWatch', body: new Out().str('/bad-t').int(1).buf(), expect: 'marshalling' },
  {
    op: OP.setWatches,
    name: 'setWatches',
    body: new Out().long(0n).int(1).str('/bad-t').int(0).int(0).buf(),
    expect: 'marshalling',
  },
  {
    op: OP.setWatches2,
    name: 'setWatches2',
    body: new Out().long(0n).int(1).str('/bad-t').int(0).int(0).int(0).int(1).str('/bad-t').buf(),
    expect: 'marshalling',
  },
  { op: OP.auth, name: 'auth', body: new Out().int(0).str('digest').bytes(Buffer.from('u:p')).buf(), expect: 'close' },
  // zabkit has no SASL: -6 then close (ZooKeeper 3.8 closes silently on a truncated token)
  { op: OP.sasl, name: 'sasl', body: new Out().bytes(Buffer.from('token')).buf(), expect: 'unimplemented-close' },
];

type BadCase =
  | { kind: 'pre-handshake-garbage'; bytes: Uint8Array }
  | { kind: 'truncated-connect'; cut: number }
  | { kind: 'garbage-frame'; payload: Uint8Array }
  | { kind: 'bad-length'; length: number; tail: Uint8Array }
  | { kind: 'unknown-op'; xid: number; op: number; body: Uint8Array }
  | { kind: 'truncated-body'; which: number; cut: number; xid: number }
  | { kind: 'invalid-utf8-path'; op: 'create' | 'getData' | 'exists'; path: Uint8Array }
  | { kind: 'nul-path'; op: 'create' | 'exists' | 'delete' | 'setData' | 'getData' | 'getChildren'; before: string; after: string };

const name = fc.stringMatching(/^[a-z0-9]{0,8}$/);
const badCase: fc.Arbitrary<BadCase> = fc.oneof(
  fc.record({ kind: fc.constant('pre-handshake-garbage' as const), bytes: fc.uint8Array({ minLength: 0, maxLength: 64 }) }),
  // 44 bytes is a complete pre-3.4 ConnectRequest and 45 a current one; anything shorter is broken
  fc.record({ kind: fc.constant('truncated-connect' as const), cut: fc.integer({ min: 0, max: 43 }) }),
  fc.record({ kind: fc.constant('garbage-frame' as const), payload: fc.uint8Array({ minLength: 0, maxLength: 48 }) }),
  fc.record({
    kind: fc.constant('bad-length' as const),
    length: fc.oneof(fc.integer({ min: -0x80000000, max: -1 }), fc.integer({ min: MAX_BUFFER + 1, max: 0x7fffffff }), fc.constant(0x100000)),
    tail: fc.uint8Array({ minLength: 0, maxLength: 32 }),
  }),
  fc.record({
    kind: fc.constant('unknown-op' as const),
    xid: fc.integer({ min: 1, max: 0x7ffffffe }),
    op: fc.integer({ min: -0x80000000, max: 0x7fffffff }).filter((op) => !KNOWN_OPS.has(op)),
    body: fc.uint8Array({ minLength: 0, maxLength: 16 }),
  }),
  fc
    .integer({ min: 0, max: TRUNCATABLE.length - 1 })
    .chain((which) =>
      fc.record({
        kind: fc.constant('truncated-body' as const),
        which: fc.constant(which),
        cut: fc.integer({ min: 0, max: TRUNCATABLE[which]!.body.length - 1 }),
        xid: fc.integer({ min: 1, max: 0x7ffffffe }),
      }),
    ),
  fc.record({
    kind: fc.constant('invalid-utf8-path' as const),
    op: fc.constantFrom('create' as const, 'getData' as const, 'exists' as const),
    // no '/' and no control bytes, around a byte that is never valid UTF-8 on its own (a stray
    // continuation byte, C0, F5, FE, FF). A continuation byte can still complete a lead byte
    // generated before it (DE 80 is U+0780, a valid path character that ZooKeeper accepts), so
    // only byte strings that really are invalid UTF-8 are kept.
    path: fc
      .tuple(fc.uint8Array({ maxLength: 6 }), fc.constantFrom(0x80, 0xbf, 0xc0, 0xf5, 0xfe, 0xff), fc.uint8Array({ maxLength: 6 }))
      .map(([a, bad, b]) => Uint8Array.from([0x2f, ...[...a, bad, ...b].filter((x) => x !== 0x2f && x !== 0 && x >= 0x20)]))
      .filter((path) => !isUtf8(path)),
  }),
  fc.record({
    kind: fc.constant('nul-path' as const),
    op: fc.constantFrom('create' as const, 'exists' as const, 'delete' as const, 'setData' as const, 'getData' as const, 'getChildren' as const),
    before: name,
    after: name,
  }),
);

/** Runs one bad case on its own connection and asserts ZooKeeper's outcome. */
async function runCase(c: BadCase): Promise<void> {
  switch (c.kind) {
    case 'pre-handshake-garbage': {
      const conn = await RawConn.open(server.port);
      conn.write(Buffer.from(c.bytes));
      conn.end(); // a server waiting for the rest of a frame must give up at EOF
      await expectClosed(conn, c.kind);
      return;
    }
    case 'truncated-connect': {
      const conn = await RawConn.open(server.port);
      conn.write(frame(connectRequest({ readOnly: false }).subarray(0, c.cut)));
      expect(await expectClosed(conn, `${c.kind} ${c.cut}`)).toEqual([]);
      return;
    }
    case 'garbage-frame': {
      const conn = await established();
      const payload = Buffer.from(c.payload);
      conn.write(frame(payload));
      if (payload.length < 8) {
        // not even a RequestHeader: closed without a reply
        expect(await expectClosed(conn, c.kind)).toEqual([]);
        return;
      }
      const xid = payload.readInt32BE(0);
      const type = payload.readInt32BE(4);
      const first = await conn.nextReply(BOUND_MS);
      if (first === 'timeout') throw new Error(`garbage frame ${payload.toString('hex')}: no reply and no close within ${BOUND_MS} ms`);
      if (first === 'closed') {
        conn.destroy();
        return;
      }
      let reply = first;
      while (reply.xid === -1) {
        const n = await conn.nextReply(BOUND_MS);
        if (typeof n === 'string') return conn.destroy();
        reply = n;
      }
      expect(reply.xid).toBe(type === OP.ping ? -2 : xid);
      if (!KNOWN_OPS.has(type) || type === OP.check || type === -10 || type === OP.sasl) {
        expect(reply.err).toBe(-6);
        await expectClosed(conn, `${c.kind} op ${type}`);
        return;
      }
      // a known op: whatever the answer, the connection is either closed cleanly or still serving
      const ping = await conn.call(-2, OP.ping, undefined, BOUND_MS);
      if (ping === 'timeout') throw new Error(`garbage frame ${payload.toString('hex')}: connection hung after reply`);
      conn.destroy();
      return;
    }
    case 'bad-length': {
      const conn = await established();
      const len = Buffer.alloc(4);
      len.writeInt32BE(c.length);
      conn.write(Buffer.concat([len, Buffer.from(c.tail)]));
      expect(await expectClosed(conn, `${c.kind} ${c.length}`)).toEqual([]);
      return;
    }
    case 'unknown-op': {
      const conn = await established();
      conn.write(frame(request(c.xid, c.op, Buffer.from(c.body))));
      const replies = await expectClosed(conn, `${c.kind} ${c.op}`);
      expect(replies).toEqual([{ xid: c.xid, zxid: -1n, err: -6 }]);
      return;
    }
    case 'truncated-body': {
      const t = TRUNCATABLE[c.which]!;
      const conn = await established();
      const xid = t.op === OP.auth ? -4 : c.xid;
      conn.write(frame(request(xid, t.op, t.body.subarray(0, c.cut))));
      const what = `${t.name} cut at ${c.cut}/${t.body.length}`;
      if (t.expect === 'marshalling') {
        const reply = await expectReplyAndOpen(conn, xid, what);
        expect(reply.err, what).toBe(-5);
      } else if (t.expect === 'close') {
        expect(await expectClosed(conn, what)).toEqual([]);
      } else {
        expect(await expectClosed(conn, what)).toEqual([{ xid, zxid: -1n, err: -6 }]);
      }
      return;
    }
    case 'invalid-utf8-path': {
      const conn = await established();
      const path = Buffer.from(c.path);
      const [op, body, err] =
        c.op === 'create' ? [OP.create, bodies.create(path), -8] // decodes with U+FFFD, which no path may hold
          : c.op === 'getData' ? [OP.getData, bodies.pathWatch(path), -101]
            : [OP.exists, bodies.pathWatch(path), -101];
      conn.write(frame(request(7, op, body)));
      const reply = await expectReplyAndOpen(conn, 7, `${c.op} ${path.toString('hex')}`);
      expect(reply.err, `${c.op} ${path.toString('hex')}`).toBe(err);
      return;
    }
    case 'nul-path': {
      const conn = await established();
      const path = `/bad-nul-${c.before}\0${c.after}`;
      const [op, body, err] = {
        create: [OP.create, bodies.create(path), -8],
        exists: [OP.exists, bodies.pathWatch(path), -8],
        delete: [OP.delete, bodies.delete(path), -8],
        setData: [OP.setData, bodies.setData(path, Buffer.from('x')), -8],
        // reads other than exists do no syntax check: the node is simply not there
        getData: [OP.getData, bodies.pathWatch(path), -101],
        getChildren: [OP.getChildren, bodies.pathWatch(path), -101],
      }[c.op] as [number, Buffer, number];
      conn.write(frame(request(9, op, body)));
      const reply = await expectReplyAndOpen(conn, 9, `${c.op} ${JSON.stringify(path)}`);
      expect(reply.err, `${c.op} ${JSON.stringify(path)}`).toBe(err);
      return;
    }
  }
}

// The standalone server, and a zabkit ensemble reached through one follower only (the bad bytes
// go to that follower; the healthy sessions' writes are forwarded to the leader meanwhile).
describe.each([ZABKIT_STANDALONE, ZABKIT_FOLLOWER])('bad input against a running $name', (spec) => {
  beforeAll(async () => {
    server = await spec.start();
    [healthy, busy] = await Promise.all([connectNzk(server.connectString), connectNzk(server.connectString)]);
    healthyStates.length = 0;
    healthy.raw.on('state', (s) => healthyStates.push(s.getName()));
    await healthy.create('/bad-healthy', Buffer.from('before'));
    await healthy.create('/bad-busy');
    healthyWatch = watchProbe();
    await healthy.getData('/bad-healthy', healthyWatch.watcher);
    busyLoop = startBusyLoop();
  });

  afterAll(async () => {
    await busyLoop?.stop();
    await Promise.all([healthy?.close().catch(() => undefined), busy?.close().catch(() => undefined)]);
    await server?.close();
  });

  it('answers or cleanly closes every bad connection (property-based)', async () => {
    await fc.assert(
      fc.asyncProperty(badCase, async (c) => {
        await runCase(c);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 60_000);

  it('covers every truncatable op and every bad length class at least once', async () => {
    for (let which = 0; which < TRUNCATABLE.length; which++) {
      const t = TRUNCATABLE[which]!;
      for (const cut of [0, 4, t.body.length - 1]) await runCase({ kind: 'truncated-body', which, cut: Math.min(cut, t.body.length - 1), xid: 11 });
    }
    for (const length of [-1, -0x80000000, 0x100000, MAX_BUFFER + 1, 0x7fffffff]) await runCase({ kind: 'bad-length', length, tail: new Uint8Array(8) });
    for (const op of [0, 10, 23, 99, 108, 999, -1, -2, -12, 0x7fffffff]) await runCase({ kind: 'unknown-op', xid: 5, op, body: new Uint8Array() });
    // the special ops that are not requests a client may send here
    for (const op of [OP.check, -10]) {
      const conn = await established();
      conn.write(frame(request(5, op, new Out().str('/').int(0).buf())));
      expect(await expectClosed(conn, `op ${op}`)).toEqual([{ xid: 5, zxid: -1n, err: -6 }]);
    }
  });

  it('handles handshake edge cases like ZooKeeper', async () => {
    // pre-3.4 client (no readOnly byte): answered without it (36 bytes)
    const old = await RawConn.open(server.port);
    const hello = await old.handshake({ timeoutMs: 4000 });
    if (typeof hello === 'string') throw new Error(`old client: ${hello}`);
    expect(hello.length).toBe(36);
    expect(hello.timeOut).toBe(4000);
    old.write(closeSessionFrame());
    await expectClosed(old, 'old client close');

    // client has seen a newer zxid than the server: closed without a reply
    const ahead = await RawConn.open(server.port);
    ahead.write(frame(connectRequest({ lastZxidSeen: 1n << 50n, readOnly: false })));
    expect(await expectClosed(ahead, 'zxid ahead')).toEqual([]);

    // unknown session: an all-zero answer (timeOut 0), then closed
    const unknown = await RawConn.open(server.port);
    const refused = await unknown.handshake({ sessionId: 0x0123456789abcdefn, passwd: Buffer.alloc(16, 7), readOnly: false });
    if (typeof refused === 'string') throw new Error(`unknown session: ${refused}`);
    expect([refused.timeOut, refused.sessionId, refused.passwd.equals(Buffer.alloc(16)), refused.length]).toEqual([0, 0n, true, 37]);
    await expectClosed(unknown, 'unknown session');

    // a request pipelined behind the ConnectRequest in the same write is served in order
    const piped = await RawConn.open(server.port);
    piped.write(Buffer.concat([frame(connectRequest({ readOnly: false })), frame(request(1, OP.exists, bodies.pathWatch('/bad-healthy')))]));
    expect(Buffer.isBuffer(await piped.next(BOUND_MS))).toBe(true);
    const existsReply = await piped.nextReply(BOUND_MS);
    expect(typeof existsReply === 'string' ? existsReply : [existsReply.xid, existsReply.err, existsReply.body.length]).toEqual([1, 0, 68]);
    // ... and a bad length right behind a good request: closed; the good request's reply may be
    // lost with the connection (ZooKeeper 3.8 loses it too), but nothing else may arrive
    piped.write(Buffer.concat([frame(request(2, OP.getData, bodies.pathWatch('/bad-healthy'))), Buffer.from([0xff, 0xff, 0xff, 0xf0])]));
    const replies = await expectClosed(piped, 'good then bad');
    expect([[], [[2, 0]]]).toContainEqual(replies.map((r) => [r.xid, r.err]));
  });

  it('takes bytes that form valid multi-byte UTF-8 as an ordinary path, like ZooKeeper 3.8', async () => {
    // DE 80 is U+0780 (a property-test counterexample once wrongly counted as invalid UTF-8), C3 A9 is é
    for (const bytes of [[0x2f, 0xde, 0x80, 0x7c, 0x6f, 0x5e, 0x70, 0x40], [0x2f, 0x62, 0x61, 0x64, 0x2d, 0xc3, 0xa9]]) {
      const path = Buffer.from(bytes);
      const what = path.toString('hex');
      const conn = await established();
      const created = await conn.call(1, OP.create, bodies.create(path, Buffer.from('v'), 0));
      if (typeof created === 'string') throw new Error(`create ${what}: ${created}`);
      expect([created.err, created.body.subarray(4).toString('hex')], `create ${what}`).toEqual([0, what]);
      const got = await conn.call(2, OP.getData, bodies.pathWatch(path));
      expect(typeof got === 'string' ? got : [got.err, got.body.subarray(4, 5).toString()], `getData ${what}`).toEqual([0, 'v']);
      const deleted = await conn.call(3, OP.delete, bodies.delete(path));
      expect(typeof deleted === 'string' ? deleted : deleted.err, `delete ${what}`).toBe(0);
      const gone = await conn.call(4, OP.exists, bodies.pathWatch(path));
      expect(typeof gone === 'string' ? gone : gone.err, `exists ${what}`).toBe(-101);
      conn.write(closeSessionFrame());
      await expectClosed(conn, `close after ${what}`);
    }
  });

  it('accepts a frame of exactly jute.maxbuffer bytes', async () => {
    const conn = await established();
    const path = '/bad-maxbuffer';
    const created = await conn.call(1, OP.create, bodies.create(path, null, 0));
    expect(typeof created === 'string' ? created : created.err).toBe(0);
    const fixed = request(2, OP.setData, bodies.setData(path, Buffer.alloc(0), -1)).length;
    const body = bodies.setData(path, Buffer.alloc(MAX_BUFFER - fixed, 0x61), -1);
    const payload = request(2, OP.setData, body);
    expect(payload.length).toBe(MAX_BUFFER);
    const set = await conn.call(2, OP.setData, body, 5000);
    if (typeof set === 'string') throw new Error(`setData of a ${MAX_BUFFER}-byte frame: ${set}`);
    expect(set.err).toBe(0);
    expect(set.body.readInt32BE(52)).toBe(MAX_BUFFER - fixed); // Stat.dataLength
    const del = await conn.call(3, OP.delete, bodies.delete(path));
    expect(typeof del === 'string' ? del : del.err).toBe(0);
    conn.write(closeSessionFrame());
    await expectClosed(conn, 'maxbuffer close');
  });

  it('closes a connection that sends a frame over jute.maxbuffer, without a reply, and the session survives', async () => {
    const { conn, hello } = await session(server.port, { timeoutMs: 10_000, readOnly: false });
    const created = await conn.call(1, OP.create, bodies.create('/bad-survivor', Buffer.from('kept'), 1));
    expect(typeof created === 'string' ? created : created.err).toBe(0);
    const len = Buffer.alloc(4);
    len.writeInt32BE(MAX_BUFFER + 1);
    conn.write(Buffer.concat([len, Buffer.alloc(4096, 0x41)]));
    expect(await expectClosed(conn, 'over maxbuffer')).toEqual([]);

    // same session id and password on a new connection: the session and its ephemeral are there
    const again = await RawConn.open(server.port);
    const resumed = await again.handshake({ sessionId: hello.sessionId, passwd: hello.passwd, timeoutMs: 10_000, readOnly: false });
    if (typeof resumed === 'string') throw new Error(`resume: ${resumed}`);
    expect([resumed.sessionId, resumed.timeOut, resumed.passwd.equals(hello.passwd)]).toEqual([hello.sessionId, 10_000, true]);
    const got = await again.call(2, OP.getData, bodies.pathWatch('/bad-survivor'));
    if (typeof got === 'string') throw new Error(`getData after resume: ${got}`);
    expect(got.err).toBe(0);
    expect(got.body.subarray(4, 4 + got.body.readInt32BE(0)).toString()).toBe('kept');
    const owner = got.body.readBigInt64BE(4 + 4 + 44); // Stat.ephemeralOwner
    expect(owner).toBe(hello.sessionId);

    // A wrong password for the same session is refused (timeOut 0, then closed). Like ZooKeeper,
    // which drops the session's current connection before it checks the password, the
    // legitimate connection goes too, but the session itself is unharmed.
    const thief = await RawConn.open(server.port);
    const stolen = await thief.handshake({ sessionId: hello.sessionId, passwd: Buffer.alloc(16, 1), readOnly: false });
    expect(typeof stolen === 'string' ? stolen : [stolen.timeOut, stolen.sessionId]).toEqual([0, 0n]);
    await expectClosed(thief, 'wrong password');
    await expectClosed(again, 'connection displaced by a reconnect attempt');
    const third = await RawConn.open(server.port);
    const moved = await third.handshake({ sessionId: hello.sessionId, passwd: hello.passwd, timeoutMs: 10_000, readOnly: false });
    expect(typeof moved === 'string' ? moved : moved.sessionId).toBe(hello.sessionId);
    const still = await third.call(3, OP.exists, bodies.pathWatch('/bad-survivor'));
    expect(typeof still === 'string' ? still : still.err).toBe(0);
    third.write(closeSessionFrame());
    await expectClosed(third, 'close survivor');
    expect(await healthy.exists('/bad-survivor')).toBeNull();
  });

  it('kept the healthy session, its watch, the writer and the four-letter words working throughout', async () => {
    const loop = await busyLoop!.stop();
    busyLoop = undefined;
    expect(loop.failed).toEqual([]);
    expect(loop.ok).toBeGreaterThan(10);
    // never disconnected, so the watch set before all of this is still the original one
    expect(healthyStates).toEqual([]);
    expect(healthyWatch.fired()).toBe(false);
    await busy.setData('/bad-healthy', Buffer.from('after'));
    const ev = await withTimeout(healthyWatch.event, 5000, 'healthy watch');
    expect([ev.getName(), ev.getPath()]).toEqual(['NODE_DATA_CHANGED', '/bad-healthy']);
    expect(await healthy.create('/bad-healthy/after', null, zookeeper.CreateMode.EPHEMERAL)).toBe('/bad-healthy/after');
    expect((await healthy.getData('/bad-healthy')).data?.toString()).toBe('after');

    const srvr = await fourLetterWord(server.port, 'srvr');
    expect(srvr).toMatch(new RegExp(`^Mode: ${server.mode}$`, 'm'));
    // every bad connection is gone: only the two clients and this 4lw connection remain
    let connections = /^Connections: (\d+)$/m.exec(srvr)?.[1];
    for (let i = 0; i < 40 && connections !== '3'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      connections = /^Connections: (\d+)$/m.exec(await fourLetterWord(server.port, 'srvr'))?.[1];
    }
    expect(connections).toBe('3');
    expect(await fourLetterWord(server.port, 'ruok')).toBe('imok');
  });
});
