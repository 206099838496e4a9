// The raw test client (test/support/raw-client.ts) against zabkit's own server: handshake,
// pipelining, notifications before the write's reply, auth, raw bytes, close vs destroy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/index.js';
import { EventType, OpCode } from '../../protocol/index.js';
import { mop, RawClient } from '../support/raw-client.js';

describe('RawClient against zabkit', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      host: '127.0.0.1', port: 0, fourLetterWords: '*', extendedTypesEnabled: true, containerCheckIntervalMs: 1000,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('handshakes and exposes the session', async () => {
    const c = await RawClient.connect(server.connectString, { timeoutMs: 6000 });
    expect(c.sessionId).not.toBe(0n);
    expect(c.passwd.length).toBe(16);
    expect(c.negotiatedTimeout).toBe(6000);
    expect(c.serverReadOnly).toBe(false);
    await c.close();
    expect(c.isClosed).toBe(true);
  });

  it('pipelines requests and decodes bodies only on success', async () => {
    const c = await RawClient.connect(server.connectString);
    const [a, b, d, e, f] = await Promise.all([
      c.create('/rc', 'x'),
      c.create('/rc/n', null, { stat: true }),
      c.getData('/rc'),
      c.exists('/rc/missing'),
      c.ping(),
    ]);
    expect(a.header.err).toBe(0);
    expect(a.body).toEqual({ path: '/rc' });
    expect(b.body?.path).toBe('/rc/n');
    expect(b.body?.stat?.czxid).toBe(b.header.zxid);
    expect(d.body?.data?.toString()).toBe('x');
    expect(e.header.err).toBe(-101);
    expect(e.body).toBeUndefined();
    expect(f.header.xid).toBe(-2);
    expect([a, b, d, e, f].map((r) => r.header.xid)).toEqual([1, 2, 3, 4, -2]);
    expect(f.header.zxid).toBe(b.header.zxid);
    const m = await c.multi([mop.create('/rc/m', ''), mop.check('/rc', 5)]);
    expect(m.header.err).toBe(0);
    expect(m.body).toEqual([{ type: -1, err: 0 }, { type: -1, err: -103 }]);
    await c.close();
  });

  it('collects notifications, delivered before the reply of the write that fired them', async () => {
    const watcher = await RawClient.connect(server.connectString);
    const writer = await RawClient.connect(server.connectString);
    await watcher.getData('/rc', true);
    await writer.getData('/rc', true);
    const set = await writer.setData('/rc', 'y');
    const ev = await writer.nextEvent(2000);
    expect(ev).toMatchObject({ type: EventType.NodeDataChanged, state: 3, path: '/rc' });
    expect(ev.seq).toBeLessThan(set.seq);
    expect(ev.zxid).toBe(set.header.zxid); // 3.9 semantics
    expect(await watcher.nextEvent(2000)).toMatchObject({ type: EventType.NodeDataChanged, path: '/rc' });
    await expect(watcher.nextEvent(50)).rejects.toThrow(/no watch event/);
    await Promise.all([watcher.close(), writer.close()]);
  });

  it('authenticates, and answers whoAmI', async () => {
    const c = await RawClient.connect(server.connectString);
    expect((await c.auth('digest', 'bob:secret')).header).toEqual({ xid: -4, zxid: 0n, err: 0 });
    const who = await c.whoAmI();
    // The order of a connection's ids is unspecified (a hash set in Java).
    const infos = [...(who.body?.clientInfo ?? [])].sort((a, b) => a.authScheme.localeCompare(b.authScheme));
    expect(infos).toEqual([
      { authScheme: 'digest', user: 'bob' },
      { authScheme: 'ip', user: '127.0.0.1' },
    ]);
    await c.close();
  });

  it('sends raw bodies and sees the server close on an unknown opcode', async () => {
    const c = await RawClient.connect(server.connectString);
    const r = await c.request(999, Buffer.alloc(0));
    expect(r.header.err).toBe(-6);
    await c.closed;
    await expect(c.getData('/rc')).rejects.toThrow(/closed/);
    // The session survived the dropped connection: resume it and close it properly.
    const again = await RawClient.connect(server.connectString, { sessionId: c.sessionId, passwd: c.passwd });
    expect(again.sessionId).toBe(c.sessionId);
    await again.close();
    await expect(RawClient.connect(server.connectString, { sessionId: c.sessionId, passwd: c.passwd })).rejects.toThrow(/expired/);
  });

  it('sendRaw writes bytes as given; destroy drops the socket without closeSession', async () => {
    const c = await RawClient.connect(server.connectString);
    c.sendRaw(Buffer.from('00000008000000070000000b', 'hex')); // a ping with xid 7: replied with xid -2
    const p = await c.request(OpCode.getData, { path: '/rc', watch: false });
    expect(p.header.err).toBe(0);
    expect(c.strays.map((s) => s.header.xid)).toEqual([-2]); // the raw ping's reply, kept aside
    c.destroy();
    await c.closed;
    const back = await RawClient.connect(server.connectString, { sessionId: c.sessionId, passwd: c.passwd });
    await back.delete('/rc/n');
    await back.close();
  });
});
