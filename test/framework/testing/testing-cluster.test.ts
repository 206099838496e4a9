// TestingCluster (zabkit/testing): an in-process zabkit ensemble that elects a leader, keeps a
// client's session and data across killing the leader, lets killed members rejoin with their
// data, runs observers, and stops serving without a quorum.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLossError, CreateMode, ZooKeeperClient } from '../../../framework/index.js';
import { TestingCluster, type TestingClusterOptions } from '../../../framework/testing/index.js';
import { fourLetterWord } from '../../support/apache-zookeeper.js';
import { FAST } from '../../client/support/clients.js';

const clusters: TestingCluster[] = [];
const clients: ZooKeeperClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(clusters.splice(0).map((c) => c.close()));
});

async function cluster(options: TestingClusterOptions = {}): Promise<TestingCluster> {
  const c = await TestingCluster.start(options);
  clusters.push(c);
  return c;
}

/** Runs `op` again while the client fails over (a plain client reports ConnectionLoss; it does not retry). */
async function failingOver<T>(op: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof ConnectionLossError) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function client(connectString: string): Promise<ZooKeeperClient> {
  const c = await ZooKeeperClient.connect(connectString, FAST, 30_000);
  clients.push(c);
  return c;
}

describe('TestingCluster', { timeout: 120_000 }, () => {
  it('starts an ensemble with one leader; every member serves the same data', async () => {
    const c = await cluster();
    expect(c.members).toHaveLength(3);
    const leader = await c.findLeader();
    const modes = c.members.map((m) => m.mode);
    expect(modes[leader]).toBe('leader');
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
    expect(c.connectString.split(',')).toEqual(c.members.map((m) => m.connectString));
    const writer = await client(c.connectString);
    await writer.create('/shared', 'one');
    for (const m of c.members) {
      const reader = await client(m.connectString);
      await reader.sync('/shared');
      expect((await reader.getData('/shared')).data?.toString()).toBe('one');
    }
  });

  it('killing the leader elects another; the session, its ephemerals and the data survive', async () => {
    const c = await cluster();
    const first = await c.findLeader();
    const zk = await client(c.connectString);
    const session = zk.sessionId;
    await zk.create('/before', 'b');
    await zk.create('/mine', null, { mode: CreateMode.EPHEMERAL });
    await c.killServer(first);
    expect(c.members[first]!.isRunning).toBe(false);
    expect(c.members[first]!.mode).toBeUndefined();
    const second = await c.findLeader();
    expect(second).not.toBe(first);
    await failingOver(() => zk.create('/after', 'a'));
    expect(zk.sessionId).toBe(session);
    expect((await zk.getData('/before')).data?.toString()).toBe('b');
    expect((await zk.exists('/mine'))?.ephemeralOwner).toBe(session);
  });

  it('a restarted member rejoins as a follower with what it missed', async () => {
    const c = await cluster();
    const leader = await c.findLeader();
    const victim = (leader + 1) % 3;
    const zk = await client(c.connectString);
    await zk.create('/a', '1');
    await c.killServer(victim);
    await failingOver(() => zk.create('/b', '2'));
    await c.restartServer(victim);
    expect(c.members[victim]!.mode).toBe('follower');
    expect(await c.findLeader()).toBe(leader);
    const direct = await client(c.members[victim]!.connectString);
    await direct.sync('/');
    expect((await direct.getData('/a')).data?.toString()).toBe('1');
    expect((await direct.getData('/b')).data?.toString()).toBe('2');
  });

  it('runs observers besides the voters', async () => {
    const c = await cluster({ size: 3, observers: 1 });
    await c.findLeader();
    const observer = c.members[3]!;
    expect(observer.role).toBe('observer');
    expect(observer.mode).toBe('observer');
    const zk = await client(observer.connectString);
    await zk.create('/via-observer', 'o');
    const other = await client(c.members[0]!.connectString);
    await other.sync('/');
    expect((await other.getData('/via-observer')).data?.toString()).toBe('o');
  });

  it('without a quorum there is no leader; with one back there is', async () => {
    const c = await cluster();
    await c.killServer(0);
    await c.killServer(1);
    await expect(c.findLeader(1500)).rejects.toThrow(/no agreed leader/);
    // Alone, the last member stops serving (a leader after syncLimit without acks, a follower at once).
    const deadline = Date.now() + 30_000;
    while (c.members[2]!.mode !== 'looking' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(c.members[2]!.mode).toBe('looking');
    await c.restartServer(1);
    expect([1, 2]).toContain(await c.findLeader());
  });

  it('keeps four-letter words off unless asked', async () => {
    const c = await cluster({ fourLetterWords: ['srvr'] });
    const leader = await c.findLeader();
    expect(await fourLetterWord(c.members[leader]!.port, 'srvr')).toMatch(/Mode: leader/);
    expect(await fourLetterWord(c.members[leader]!.port, 'ruok')).toMatch(/not in the whitelist/);
  });

  it('close() stops every member and removes the data dirs; `await using` does it too', async () => {
    let dirs: string[] = [];
    let ports: number[] = [];
    {
      await using c = await TestingCluster.start({ size: 1 });
      expect(c.members[await c.findLeader()]!.mode).toBe('leader');
      dirs = c.members.map((m) => m.dataDir);
      ports = c.members.map((m) => m.port);
      expect(dirs.every((d) => existsSync(d))).toBe(true);
    }
    expect(dirs.some((d) => existsSync(d))).toBe(false);
    await expect(fourLetterWord(ports[0]!, 'srvr', 1000)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses bad sizes and unknown members', async () => {
    await expect(TestingCluster.start({ size: 0 })).rejects.toThrow(RangeError);
    const c = await cluster({ size: 1 });
    await expect(c.killServer(5)).rejects.toThrow(RangeError);
  });
});
