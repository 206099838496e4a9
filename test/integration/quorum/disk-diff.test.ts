// A follower further behind than the leader's in-memory committed log (commitLogCount, 500) is
// synced by a DIFF read from the leader's on-disk txn log while those txns stay within
// snapshotSizeFactor x the newest snapshot, as ZooKeeper's LearnerHandler does; with the factor
// negative (txn-log sync off) the same gap takes a SNAP. Real members, real disks.

import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import type { ZooKeeperClient } from '../../../framework/index.js';
import { useClients } from '../../client/support/clients.js';
import { TestEnsemble } from './ensemble.js';

const ensembles: TestEnsemble[] = [];
afterEach(async () => {
  await Promise.all(ensembles.splice(0).map((e) => e.stop()));
});
const open = useClients();

async function ensemble(snapshotSizeFactor: number): Promise<{ e: TestEnsemble; leader: number }> {
  const e = await TestEnsemble.start({ voters: 3, server: { snapshotSizeFactor } });
  ensembles.push(e);
  onTestFailed(() => {
    for (const m of e.members) console.log(`--- member ${m.sid}\n${m.logs.filter((l) => !l.startsWith('closing connection')).join('\n')}`);
  });
  return { e, leader: await e.waitForLeader() };
}

async function createMany(c: ZooKeeperClient, path: string, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => c.create(`${path}/n${String(i).padStart(5, '0')}`)));
}

/** Stops a follower, writes `count` creates through the leader, restarts it; its syncs and children. */
async function fallBehindAndReturn(e: TestEnsemble, leader: number, count: number) {
  const f = e.members.find((m) => m.sid !== leader)!.sid;
  const c = await open(`127.0.0.1:${e.member(leader).clientPort}`);
  await c.create('/far');
  await c.sync('/far');
  await e.stopMember(f);
  await createMany(c, '/far', count);
  await e.startMember(f);
  expect(await e.waitForLeader()).toBe(leader);
  const onF = await open(`127.0.0.1:${e.member(f).clientPort}`);
  await onF.sync('/far');
  return { f, syncs: e.running(f).peer.syncs, children: (await onF.getChildren('/far')).children.length };
}

describe('DIFF from the leader\'s on-disk txn log', () => {
  it('a follower 700 txns behind (beyond the 500 in memory) gets a DIFF read from disk, not a SNAP', { timeout: 60_000 }, async () => {
    const { e, leader } = await ensemble(0); // 0: no size limit, as in ZooKeeper
    const { f, syncs, children } = await fallBehindAndReturn(e, leader, 700);
    expect(syncs).toMatchObject({ DIFF: 1, SNAP: 0, TRUNC: 0 });
    expect(children).toBe(700);
    expect(e.member(leader).logs.some((l) => new RegExp(`learner ${f} is at 0x\\w+, behind the in-memory log; \\d+ txns read from the txn log`).test(l))).toBe(true);
    // It keeps following, and a restart keeps what the DIFF brought.
    await e.stopMember(f);
    await e.startMember(f);
    await e.waitForLeader();
    const again = await open(`127.0.0.1:${e.member(f).clientPort}`);
    expect((await again.getChildren('/far')).children).toHaveLength(700);
  });

  it('with txn-log sync off (snapshotSizeFactor < 0) the same gap takes a SNAP', { timeout: 60_000 }, async () => {
    const { e, leader } = await ensemble(-1);
    const { syncs, children } = await fallBehindAndReturn(e, leader, 700);
    expect(syncs).toMatchObject({ SNAP: 1, TRUNC: 0 });
    expect(children).toBe(700);
  });
});
