// A real in-process ensemble (3 voters + 1 observer on 127.0.0.1, durable temp data dirs):
// one leader is elected and every member agrees; the four-letter words show each member's
// mode; writes made through the leader, a follower and the observer are read back on every
// member; learners log a lone txn on the event loop, the leader does not; a session reads its own writes on a learner; sync makes a learner's next read as
// fresh as the leader's; ephemerals of a closed or expired session disappear everywhere;
// unconfigured sids are refused on the election and quorum ports while the ensemble goes on;
// node-zookeeper-client and kazoo work against a follower unchanged.

import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMode } from '../../../protocol/types.js';
import { encodeLearnerInfo, encodeQuorumPacket, quorumPacket, QuorumPacketType as T, ZAB_PROTOCOL_VERSION } from '../../../protocol/quorum.js';
import { fourLetterWord } from '../../support/apache-zookeeper.js';
import { encodeInitialMessage } from '../../../server/quorum/initial-message.js';
import { RawClient } from '../../support/raw-client.js';
import { runKazoo } from '../../support/real-clients.js';
import { connectNzk, watchProbe, withTimeout, zookeeper } from '../../interop/nzk.js';
import { uniquePath, useClients } from '../../client/support/clients.js';
import { TestEnsemble } from './ensemble.js';

let e: TestEnsemble;
let leader: number;
const open = useClients();

beforeAll(async () => {
  e = await TestEnsemble.start({ voters: 3, observers: 1 });
  leader = await e.waitForLeader();
}, 120_000);

afterAll(async () => {
  await e?.stop();
});

const followers = () => e.members.filter((m) => m.sid !== leader && m.sid !== 4).map((m) => m.sid);
const clientOf = (sid: number) => open(`127.0.0.1:${e.member(sid).clientPort}`);

describe('a 3-voter + 1-observer ensemble', () => {
  it('elects one leader that every member follows, with the observer observing', () => {
    const modes = e.members.map((m) => m.running!.mode);
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
    expect(e.running(4).mode).toBe('observer');
    expect(e.members.every((m) => m.running!.leaderId === leader)).toBe(true);
  });

  it('shows each member\'s real mode in srvr, mntr and conf', async () => {
    const port = (sid: number) => e.member(sid).clientPort;
    expect(await fourLetterWord(port(leader), 'srvr')).toMatch(/\nZxid: 0x[0-9a-f]+\nMode: leader\nNode count: \d+\nProposal sizes last\/min\/max: -?\d+\/-?\d+\/-?\d+\n$/);
    expect(await fourLetterWord(port(followers()[0]!), 'srvr')).toMatch(/\nMode: follower\n/);
    expect(await fourLetterWord(port(4), 'stat')).toMatch(/\nMode: observer\n/);
    const mntr = await fourLetterWord(port(leader), 'mntr');
    expect(mntr).toMatch(/^zk_server_state\tleader$/m);
    expect(mntr).toMatch(/^zk_synced_followers\t2$/m);
    expect(mntr).toMatch(/^zk_synced_observers\t1$/m);
    expect(mntr).toMatch(/^zk_followers\t3$/m);
    expect(await fourLetterWord(port(followers()[1]!), 'mntr')).toMatch(/^zk_server_state\tfollower$/m);
    const conf = await fourLetterWord(port(4), 'conf');
    expect(conf).toMatch(/^serverId=4$/m);
    expect(conf).toMatch(/^peerType=1$/m);
    expect(conf).toMatch(/^initLimit=10$/m);
    const s4 = e.serverSpecs[3]!;
    expect(conf).toContain(`membership: \nserver.1=127.0.0.1:${e.serverSpecs[0]!.quorumPort}:${e.serverSpecs[0]!.electionPort}:participant\n`);
    expect(conf.endsWith(`server.4=127.0.0.1:${s4.quorumPort}:${s4.electionPort}:observer\nversion=0`)).toBe(true);
  });

  it('writes through the leader, a follower and the observer are read on every member', async () => {
    const base = uniquePath('everywhere');
    const writer = await clientOf(leader);
    await writer.create(base, 'base');
    const via = [leader, ...followers(), 4];
    for (const sid of via) {
      const c = await clientOf(sid);
      await c.create(`${base}/via-${sid}`, `from ${sid}`);
      await c.setData(base, `last ${sid}`);
    }
    for (const m of e.members) {
      const c = await clientOf(m.sid);
      await c.sync(base);
      expect((await c.getChildren(base)).children.sort()).toEqual(via.map((s) => `via-${s}`).sort());
      expect((await c.getData(base)).data?.toString()).toBe('last 4');
      expect((await c.getData(`${base}/via-${followers()[0]}`)).stat.version).toBe(0);
    }
    // Every member applied the same history: the same zxid of the last change.
    const mzxids = await Promise.all(e.members.map(async (m) => (await (await clientOf(m.sid)).exists(base))!.mzxid));
    expect(new Set(mzxids).size).toBe(1);
  });

  it('learners log a lone PROPOSAL on the event loop; the leader\'s own write stays on the thread pool', async () => {
    const path = uniquePath('lone');
    const c = await clientOf(followers()[0]!);
    await c.create(path, '0');
    for (let i = 1; i <= 5; i++) await c.setData(path, `${i}`);
    const onLoop = async (sid: number) =>
      Number((await fourLetterWord(e.member(sid).clientPort, 'mntr')).match(/^zk_txn_log_writes_on_event_loop\t(\d+)$/m)?.[1]);
    expect(await onLoop(leader)).toBe(0);
    for (const sid of [...followers(), 4]) expect(await onLoop(sid), `member ${sid}`).toBeGreaterThanOrEqual(1);
  });

  it('a session reads its own writes on a follower and on the observer, with no sync', async () => {
    for (const sid of [followers()[0]!, 4]) {
      const c = await clientOf(sid);
      const base = uniquePath(`own-${sid}`);
      await c.create(base);
      for (let i = 0; i < 40; i++) {
        const path = `${base}/n${i}`;
        const created = c.create(path, `v${i}`);
        const read = c.getData(path); // pipelined behind the write on the same session
        await created;
        expect((await read).data?.toString()).toBe(`v${i}`);
      }
    }
  });

  it('sync makes a follower\'s next read as fresh as the leader\'s', async () => {
    const w = await clientOf(leader);
    const r = await clientOf(followers()[1]!);
    const path = uniquePath('sync');
    await w.create(path, '0');
    for (let i = 1; i <= 30; i++) {
      await w.setData(path, String(i));
      await r.sync(path);
      expect((await r.getData(path)).data?.toString()).toBe(String(i));
    }
  });

  it('ephemerals of a closed session, and of an expired one, disappear on every member', async () => {
    const base = uniquePath('eph');
    await (await clientOf(leader)).create(base);
    const owner = await clientOf(followers()[0]!);
    await owner.create(`${base}/closed`, null, { mode: CreateMode.EPHEMERAL });
    // A raw session on the observer that just vanishes (no closeSession): it must expire.
    const raw = await RawClient.connect(`127.0.0.1:${e.member(4).clientPort}`, { timeoutMs: 4000 });
    const created = await raw.create(`${base}/expired`, 'x', { mode: CreateMode.EPHEMERAL });
    expect(created.header.err).toBe(0);
    for (const m of e.members) {
      const c = await clientOf(m.sid);
      await c.sync(base);
      expect((await c.getChildren(base)).children.sort()).toEqual(['closed', 'expired']);
    }
    await owner.close();
    raw.destroy();
    for (const m of e.members) {
      const c = await clientOf(m.sid);
      await expect.poll(async () => {
        await c.sync(base);
        return (await c.getChildren(base)).children;
      }, { timeout: 20_000, interval: 200 }).toEqual([]);
    }
  });

  it('keeps sessions on learners alive through their pings (the leader owns expiry)', async () => {
    const path = uniquePath('alive');
    const clients = await Promise.all([followers()[0]!, 4].map((sid) => open(`127.0.0.1:${e.member(sid).clientPort}`, { sessionTimeoutMs: 2000 })));
    for (const [i, c] of clients.entries()) await c.create(`${path}-${i}`, null, { mode: CreateMode.EPHEMERAL });
    const ids = clients.map((c) => c.sessionId);
    await new Promise((r) => setTimeout(r, 7000)); // more than three session timeouts
    expect(clients.map((c) => c.sessionId)).toEqual(ids);
    const check = await clientOf(leader);
    for (let i = 0; i < clients.length; i++) {
      await check.sync(path);
      expect((await check.exists(`${path}-${i}`))?.ephemeralOwner).toBe(ids[i]);
    }
  });

  it('refuses unconfigured sids on the election and quorum ports and goes on', async () => {
    const leaderSpec = e.serverSpecs[leader - 1]!;
    const closedBy = (port: number, bytes: Buffer) => new Promise<boolean>((resolve) => {
      const s = createConnection(port, '127.0.0.1', () => s.write(bytes));
      s.on('error', () => undefined);
      s.on('data', () => undefined);
      s.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 10_000).unref();
    });
    expect(await closedBy(leaderSpec.electionPort, encodeInitialMessage(99n, '127.0.0.1:1'))).toBe(true);
    const info = encodeLearnerInfo({ serverId: 99n, protocolVersion: ZAB_PROTOCOL_VERSION, configVersion: 0n });
    expect(await closedBy(leaderSpec.quorumPort, encodeQuorumPacket(quorumPacket(T.FOLLOWERINFO, 0n, info)))).toBe(true);
    expect(await closedBy(leaderSpec.quorumPort, encodeQuorumPacket(quorumPacket(T.PING, 0n)))).toBe(true);
    // The ensemble is undisturbed: same leader, writes still commit.
    expect(e.running(leader).mode).toBe('leader');
    const c = await clientOf(followers()[0]!);
    await c.create(uniquePath('after-strangers'), 'ok');
    expect(e.members.every((m) => m.running!.leaderId === leader)).toBe(true);
  });

  it('node-zookeeper-client works against a follower, watches fired by writes elsewhere', async () => {
    const nzk = await connectNzk(`127.0.0.1:${e.member(followers()[0]!).clientPort}`);
    try {
      const path = uniquePath('nzk');
      expect(await nzk.create(path, Buffer.from('one'))).toBe(path);
      const probe = watchProbe();
      expect((await nzk.getData(path, probe.watcher)).data?.toString()).toBe('one');
      await (await clientOf(leader)).setData(path, 'two');
      const event = await withTimeout(probe.event, 10_000, 'the data watch');
      expect(event.getType()).toBe(zookeeper.Event.NODE_DATA_CHANGED);
      expect((await nzk.getData(path)).data?.toString()).toBe('two');
      await nzk.create(`${path}/eph`, null, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
      expect((await nzk.getChildren(path)).children).toHaveLength(1);
    } finally {
      await nzk.close();
    }
  });

  it('kazoo works against a follower', async () => {
    const path = uniquePath('kazoo');
    const r = await runKazoo(`127.0.0.1:${e.member(followers()[1]!).clientPort}`, `
zk.create('${path}', b'k1', makepath=True)
zk.set('${path}', b'k2')
zk.create('${path}/c', b'', sequence=True)
zk.sync('${path}')
data, stat = zk.get('${path}')
print(json.dumps({'data': data.decode(), 'version': stat.version, 'children': len(zk.get_children('${path}'))}))
`, { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ data: 'k2', version: 1, children: 1 });
    const c = await clientOf(4);
    await c.sync(path);
    expect((await c.getData(path)).data?.toString()).toBe('k2');
  });
});
