// Members leaving and coming back: closing the leader elects a new one and writes resume with
// every acknowledged write kept; a restarted follower is synced by DIFF when a little behind and
// by SNAP when beyond the leader's 500-txn window; a member holding a txn the ensemble never
// committed is cut back by TRUNC; a learner that dies or stalls mid-sync does not wedge the
// leader, nor does a stale connection under the sid of a member coming back; a member without a
// quorum stops serving and closes its clients.

import { createConnection, type Socket } from 'node:net';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  encodeAckEpoch, encodeLearnerInfo, encodeQuorumPacket, quorumPacket, QuorumPacketType as T, ZAB_PROTOCOL_VERSION,
} from '../../../protocol/quorum.js';
import { JuteReader } from '../../../protocol/jute/reader.js';
import { quorumPacketLength, readQuorumPacket } from '../../../protocol/quorum.js';
import type { ZooKeeperClient } from '../../../framework/index.js';
import { fourLetterWord } from '../../support/apache-zookeeper.js';
import { RawClient } from '../../support/raw-client.js';
import { useClients } from '../../client/support/clients.js';
import { TestEnsemble } from './ensemble.js';

const ensembles: TestEnsemble[] = [];
afterEach(async () => {
  await Promise.all(ensembles.splice(0).map((e) => e.stop()));
});
const open = useClients();

async function ensemble(voters = 3): Promise<{ e: TestEnsemble; leader: number }> {
  const e = await TestEnsemble.start({ voters });
  ensembles.push(e);
  // What each member logged (roles, syncs, refusals) explains a failure better than a timeout.
  onTestFailed(() => {
    for (const m of e.members) console.log(`--- member ${m.sid}\n${m.logs.filter((l) => !l.startsWith('closing connection')).join('\n')}`);
  });
  return { e, leader: await e.waitForLeader() };
}

/** The children of `path` as member `sid` sees them after a sync. */
async function childrenOn(e: TestEnsemble, sid: number, path: string): Promise<string[]> {
  const c = await open(`127.0.0.1:${e.member(sid).clientPort}`);
  await c.sync(path);
  return (await c.getChildren(path)).children.sort();
}

/** Creates `path/n<i>` for i in [from, to), pipelined, and waits for all of them. */
async function createMany(c: ZooKeeperClient, path: string, from: number, to: number): Promise<void> {
  const all: Promise<unknown>[] = [];
  for (let i = from; i < to; i++) all.push(c.create(`${path}/n${String(i).padStart(5, '0')}`));
  await Promise.all(all);
}

const names = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `n${String(from + k).padStart(5, '0')}`);

/**
 * A learner connection claiming to be member `sid`: it sends FOLLOWERINFO and records the type
 * of every packet the leader sends back up to a SNAP. With `atSnap`, it answers LEADERINFO with
 * ACKEPOCH at zxid 0 (so the leader goes on to SNAP it), then stalls (stops reading) or dies
 * (closes) as soon as the SNAP arrives; without, it answers nothing and just stays connected.
 */
function impostor(quorumPort: number, sid: number, atSnap?: 'stall' | 'die'): { seen: number[]; closed: boolean; socket: Socket } {
  const socket = createConnection(quorumPort, '127.0.0.1');
  const self = { seen: [] as number[], closed: false, socket };
  socket.on('error', () => undefined);
  socket.on('close', () => (self.closed = true));
  let buffered = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    while (!self.seen.includes(T.SNAP)) { // what follows a SNAP is the snapshot stream
      const len = quorumPacketLength(buffered, 0, 1 << 22);
      if (len < 0) return;
      const p = readQuorumPacket(new JuteReader(buffered, 0, len));
      buffered = buffered.subarray(len);
      self.seen.push(p.type);
      if (p.type === T.LEADERINFO && atSnap) socket.write(encodeQuorumPacket(quorumPacket(T.ACKEPOCH, 0n, encodeAckEpoch(0))));
      if (p.type === T.SNAP && atSnap === 'stall') socket.pause();
      if (p.type === T.SNAP && atSnap === 'die') socket.destroy();
    }
  });
  const info = encodeLearnerInfo({ serverId: BigInt(sid), protocolVersion: ZAB_PROTOCOL_VERSION, configVersion: 0n });
  socket.write(encodeQuorumPacket(quorumPacket(T.FOLLOWERINFO, 0n, info)));
  return self;
}

describe('ensemble failover and resync', () => {
  it('closing the leader elects a new one; no acknowledged write is lost; the old leader rejoins synced', async () => {
    const { e, leader } = await ensemble();
    const c = await open(e.connectString(), { sessionTimeoutMs: 20_000 });
    await c.create('/acked');
    const acked: string[] = [];
    let stop = false;
    let failures = 0;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const name = `w${String(i).padStart(5, '0')}`;
        try {
          await c.create(`/acked/${name}`);
          acked.push(name);
        } catch (err) {
          failures++; // connection loss during the failover: the outcome of this one is unknown
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })();
    await expect.poll(() => acked.length, { timeout: 20_000 }).toBeGreaterThan(20);
    await e.stopMember(leader);
    const next = await e.waitForLeader();
    expect(next).not.toBe(leader);
    const before = acked.length;
    await expect.poll(() => acked.length, { timeout: 30_000 }).toBeGreaterThan(before + 20);
    stop = true;
    await writer;
    for (const m of e.members.filter((x) => x.running)) {
      const seen = new Set(await childrenOn(e, m.sid, '/acked'));
      expect(acked.filter((n) => !seen.has(n)), `acknowledged writes missing on member ${m.sid}`).toEqual([]);
    }
    // The old leader comes back as a follower of the new one and catches up.
    await e.startMember(leader);
    expect(await e.waitForLeader()).toBe(next);
    expect(e.running(leader).mode).toBe('follower');
    const onOld = new Set(await childrenOn(e, leader, '/acked'));
    expect(acked.filter((n) => !onOld.has(n))).toEqual([]);
    // Only writes caught in the failover failed, and the writer went on after them.
    expect(failures).toBeLessThan(acked.length);
  });

  it('a follower a little behind is synced by DIFF, one beyond the 500-txn window by SNAP', async () => {
    const { e, leader } = await ensemble();
    const f = e.members.find((m) => m.sid !== leader)!.sid;
    const c = await open(`127.0.0.1:${e.member(leader).clientPort}`);
    await c.create('/diff');
    await c.create('/snap');

    await e.stopMember(f);
    await createMany(c, '/diff', 0, 20);
    await e.startMember(f);
    await e.waitForLeader();
    expect(e.running(f).peer.syncs).toMatchObject({ DIFF: 1, SNAP: 0, TRUNC: 0 });
    expect(await childrenOn(e, f, '/diff')).toEqual(names(0, 20));

    await e.stopMember(f);
    await createMany(c, '/snap', 0, 600);
    await e.startMember(f);
    await e.waitForLeader();
    expect(e.running(f).peer.syncs).toMatchObject({ SNAP: 1, TRUNC: 0 });
    expect(await childrenOn(e, f, '/snap')).toEqual(names(0, 600));
    // It keeps following: later writes arrive as proposals, and a restart keeps everything.
    await createMany(c, '/snap', 600, 610);
    expect(await childrenOn(e, f, '/snap')).toHaveLength(610);
    await e.stopMember(f);
    await e.startMember(f);
    await e.waitForLeader();
    expect(await childrenOn(e, f, '/snap')).toHaveLength(610);
    expect(await childrenOn(e, f, '/diff')).toEqual(names(0, 20));
  });

  it('a member that logged a txn the ensemble never committed is cut back by TRUNC', async () => {
    const { e, leader } = await ensemble();
    const others = e.members.filter((m) => m.sid !== leader).map((m) => m.sid);
    const c = await open(`127.0.0.1:${e.member(leader).clientPort}`);
    await c.create('/t');
    await createMany(c, '/t', 0, 5);
    // Freeze both followers: they stop processing anything, so the next proposal is never acked.
    for (const sid of others) e.running(sid).peer.queue.run(() => new Promise<void>(() => undefined));
    const storage = e.running(leader).peer.storage;
    const logged = storage.lastLoggedZxid;
    const lost = c.create('/t/never-committed').then(() => 'acked', () => 'failed');
    await expect.poll(() => storage.durableZxid, { timeout: 10_000 }).toBe(logged + 1n);
    for (const sid of others) await e.stopMember(sid);
    await e.stopMember(leader);
    expect(await lost).toBe('failed');

    for (const sid of others) await e.startMember(sid);
    const next = await e.waitForLeader();
    expect(others).toContain(next);
    await e.startMember(leader);
    expect(await e.waitForLeader()).toBe(next);
    expect(e.running(leader).peer.syncs).toMatchObject({ TRUNC: 1 });
    for (const m of e.members) expect(await childrenOn(e, m.sid, '/t')).toEqual(names(0, 5));
    // The cut member follows normally from there, and its disk agrees after a restart.
    const c2 = await open(e.connectString([next]));
    await createMany(c2, '/t', 5, 8);
    expect(await childrenOn(e, leader, '/t')).toEqual(names(0, 8));
    await e.stopMember(leader);
    await e.startMember(leader);
    await e.waitForLeader();
    expect(await childrenOn(e, leader, '/t')).toEqual(names(0, 8));
  });

  it('a learner that stalls or dies mid-sync does not wedge the leader', { timeout: 60_000 }, async () => {
    const { e, leader } = await ensemble();
    const f = e.members.find((m) => m.sid !== leader)!.sid;
    const c = await open(`127.0.0.1:${e.member(leader).clientPort}`);
    await c.create('/w');
    await e.stopMember(f);
    await createMany(c, '/w', 0, 600); // far enough behind for a SNAP
    const quorumPort = e.serverSpecs[leader - 1]!.quorumPort;
    const learners = async () => /^zk_learners\t(\d+)$/m.exec(await fourLetterWord(e.member(leader).clientPort, 'mntr'))?.[1];

    // An impostor with f's sid: handshakes, gets a SNAP, reads a little of it, then stalls.
    const stalled = impostor(quorumPort, f, 'stall');
    await expect.poll(() => stalled.seen, { timeout: 10_000 }).toContain(T.SNAP);
    expect(await learners()).toBe('2');
    // The leader keeps committing with the other follower meanwhile.
    await createMany(c, '/w', 600, 650);
    expect(e.running(leader).mode).toBe('leader');
    // It gives up on the stalled learner within initLimit + syncLimit ticks (20 x 500 ms).
    await expect.poll(learners, { timeout: 30_000 }).toBe('1');
    stalled.socket.destroy();

    // A second one dies as its SNAP starts to arrive: the leader lets go of it at once, long
    // before the 20 ticks it would give a silent one.
    const dying = impostor(quorumPort, f, 'die');
    await expect.poll(() => dying.closed, { timeout: 10_000 }).toBe(true);
    expect(dying.seen).toContain(T.SNAP);
    await expect.poll(learners, { timeout: 5_000 }).toBe('1');

    // A third one has had its handshake answered and is still connected, silent, when the real
    // member starts: the leader closes it (replaced by the member's newer connection, or dropped
    // after its 20 ticks if the member takes longer to come) and the member syncs normally.
    const lingering = impostor(quorumPort, f);
    await expect.poll(() => lingering.seen, { timeout: 10_000 }).toContain(T.LEADERINFO);
    expect(await learners()).toBe('2');
    await createMany(c, '/w', 650, 660);
    await e.startMember(f);
    expect(await e.waitForLeader()).toBe(leader);
    expect(await childrenOn(e, f, '/w')).toEqual(names(0, 660));
    await expect.poll(() => lingering.closed, { timeout: 10_000 }).toBe(true);
    expect(await learners()).toBe('2');
  });

  it('a member without a quorum stops serving and closes its clients, and serves again once one is back', async () => {
    const { e, leader } = await ensemble();
    const [a, b] = e.members.filter((m) => m.sid !== leader).map((m) => m.sid) as [number, number];
    const c = await open(`127.0.0.1:${e.member(a).clientPort}`, { sessionTimeoutMs: 20_000 });
    await c.create('/q', 'before');
    await e.stopMember(leader);
    await e.stopMember(b);
    await e.running(a).waitForMode('looking', 20_000);
    const address = `127.0.0.1:${e.member(a).clientPort}`;
    expect(await fourLetterWord(e.member(a).clientPort, 'srvr')).toBe('This ZooKeeper instance is not currently serving requests\n');
    expect(await fourLetterWord(e.member(a).clientPort, 'ruok')).toBe('imok');
    await expect(RawClient.connect(address, { connectTimeoutMs: 10_000 })).rejects.toThrow();
    await e.startMember(b);
    await e.waitForLeader();
    // The client reconnects on its own and its session survived the outage.
    await expect.poll(() => c.getData('/q').then((r) => r.data?.toString(), (err: Error) => err.name), { timeout: 20_000 }).toBe('before');
    await c.setData('/q', 'after');
    const raw = await RawClient.connect(address);
    expect((await raw.getData('/q')).body?.data?.toString()).toBe('after');
    raw.destroy();
  });
});
