// The simulation's own parts, so a passing run means what it says: the scheduler's order and
// determinism, TCP-like links (FIFO, broken silently by a cut, close after in-flight data), lossy
// election datagrams, the disk's durability model and torn-tail recovery, the replica's digest,
// and exact replay: the same seed gives the same run and the same failure at the same time.

import { describe, expect, it } from 'vitest';
import { OpCode } from '../../protocol/ops.js';
import { OPEN_ACL_UNSAFE } from '../../protocol/types.js';
import { encodeTxn } from '../../server/requests/txn.js';
import type { Entry } from '../../server/zab/types.js';
import { SEEDED_PATHS } from './clients.js';
import { SimDisk } from './disk.js';
import { Link, Network } from './network.js';
import { DEFAULT_OPTIONS } from './options.js';
import { Replica } from './replica.js';
import { runSeed, seedOptions } from './run-seed.js';
import { Scheduler } from './scheduler.js';
import { SimFailure, ZabSim } from './sim.js';

function create(zxid: bigint, path: string, sessionId = 0n, ephemeral = false): Entry {
  return {
    zxid,
    data: encodeTxn({
      header: { clientId: sessionId, cxid: 1, zxid, time: 1000n + zxid, type: OpCode.create },
      record: { type: OpCode.create, body: { path, data: Buffer.from(`d${zxid}`), acl: [...OPEN_ACL_UNSAFE], ephemeral, parentCVersion: -1 } },
    }),
  };
}

const z = (epoch: number, counter: number): bigint => (BigInt(epoch) << 32n) | BigInt(counter);

describe('sim scheduler', () => {
  it('runs events by time, then in the order they were added, and replays the same random stream', () => {
    const s = new Scheduler(5);
    const order: string[] = [];
    s.after(10, () => order.push('b'));
    s.after(5, () => order.push('a'));
    s.after(10, () => order.push('c'));
    s.after(20, () => s.after(0, () => order.push('d')));
    s.runUntil(15);
    expect(order).toEqual(['a', 'b', 'c']);
    s.runUntil(30);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    const t = new Scheduler(5);
    const draws = (x: Scheduler) => Array.from({ length: 5 }, () => x.int(0, 1000));
    expect(draws(new Scheduler(5))).toEqual(draws(t));
  });
});

describe('sim network', () => {
  const faults = { maxDelay: 30, dropRate: 0, duplicateRate: 0, reorderRate: 0 };

  it('keeps a link FIFO whatever the delays', () => {
    const s = new Scheduler(1);
    const net = new Network(s, faults);
    const link = new Link(1n, 2n);
    const got: number[] = [];
    for (let i = 0; i < 50; i++) net.send(link, 1n, () => got.push(i));
    s.runUntil(10_000);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('a cut breaks a link silently: what is in flight and what follows is lost, even after healing', () => {
    const s = new Scheduler(2);
    const net = new Network(s, faults);
    const link = new Link(1n, 2n);
    const got: number[] = [];
    net.send(link, 1n, () => got.push(1));
    net.cut([1n], [2n], 50, false); // outlasts the packet's flight (at most 30ms)
    s.runUntil(100);
    net.healAll();
    net.send(link, 1n, () => got.push(2));
    s.runUntil(200);
    expect(got).toEqual([]);
    expect(link.broken).toBe(true);
  });

  it('a close reaches the other end after the data sent before it', () => {
    const s = new Scheduler(3);
    const net = new Network(s, faults);
    const link = new Link(1n, 2n);
    const got: string[] = [];
    for (let i = 0; i < 5; i++) net.send(link, 2n, () => got.push(`p${i}`));
    net.close(link, 2n, () => got.push('closed'));
    net.send(link, 2n, () => got.push('late'));
    s.runUntil(1000);
    expect(got).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'closed']);
  });

  it('election datagrams are lost, duplicated and reordered at the configured rates', () => {
    const s = new Scheduler(4);
    const net = new Network(s, { maxDelay: 10, dropRate: 0.2, duplicateRate: 0.2, reorderRate: 0.3 });
    const got: number[] = [];
    for (let i = 0; i < 400; i++) net.datagram(1n, 2n, () => got.push(i));
    s.runUntil(100_000);
    expect(net.stats.dropped).toBeGreaterThan(40);
    expect(net.stats.duplicated).toBeGreaterThan(40);
    expect(new Set(got).size).toBe(400 - net.stats.dropped);
    expect(got.length).toBe(400 - net.stats.dropped + net.stats.duplicated);
    expect(got).not.toEqual([...got].sort((a, b) => a - b));
  });
});

describe('sim disk', () => {
  const seeded = () => Replica.seeded(SEEDED_PATHS);
  const entries = [create(z(1, 1), '/reg/a'), create(z(1, 2), '/reg/b'), create(z(1, 3), '/reg/c')];

  it('is durable through the last fsync that completed; a process crash loses nothing', () => {
    const disk = new SimDisk(seeded().snapshotBytes(), 0n);
    disk.append(entries.slice(0, 2));
    const token = disk.fsyncStart();
    disk.append(entries.slice(2));
    expect(disk.syncedZxid).toBe(0n);
    disk.fsyncDone(token);
    expect(disk.syncedZxid).toBe(z(1, 2));
    expect(disk.durablyHolds(z(1, 2))).toBe(true);
    expect(disk.durablyHolds(z(1, 3))).toBe(false);
    expect(disk.crash('process', new Scheduler(1))).toBe(0);
    expect(disk.recover().lastZxid).toBe(z(1, 3));
  });

  it('a power loss keeps the synced records and a prefix of the rest; a torn record is cut off', () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const disk = new SimDisk(seeded().snapshotBytes(), 0n);
      disk.append(entries.slice(0, 1));
      disk.fsyncAll();
      disk.append(entries.slice(1));
      disk.crash('power', new Scheduler(seed));
      const rec = disk.recover();
      expect(rec.lastZxid >= z(1, 1) && rec.lastZxid <= z(1, 3)).toBe(true);
      expect(rec.replica.zxid).toBe(rec.lastZxid);
      outcomes.add(`${rec.lastZxid}:${rec.tornBytes > 0}`);
      // What recovery kept is whole: appending after it and recovering again works.
      disk.append([create(rec.lastZxid + 1n, '/reg/x')]);
      expect(disk.recover().lastZxid).toBe(rec.lastZxid + 1n);
    }
    expect([...outcomes].some((o) => o.endsWith('true'))).toBe(true); // some crash tore a record
    expect(outcomes.has(`${z(1, 1)}:false`)).toBe(true); // some lost everything unsynced
  });

  it('TRUNC cuts the log durably, but not below the snapshot; SNAP starts a fresh log', () => {
    const disk = new SimDisk(seeded().snapshotBytes(), 0n);
    disk.append(entries);
    expect(disk.truncateTo(z(1, 1))).toBe(true);
    expect(disk.lastZxid).toBe(z(1, 1));
    const r = Replica.seeded(SEEDED_PATHS);
    for (const e of entries) r.apply(e);
    disk.installSnapshot(r.zxid, r.snapshotBytes());
    expect(disk.entries()).toEqual([]);
    expect(disk.truncateTo(z(1, 2))).toBe(false);
    expect(disk.recover().replica.fingerprint()).toBe(r.fingerprint());
  });
});

describe('sim replica', () => {
  it('apply and replay reach the same tree; the incremental digest equals the full one', () => {
    const a = Replica.seeded(SEEDED_PATHS);
    const b = Replica.seeded(SEEDED_PATHS);
    const log = [create(z(1, 1), '/reg/a'), create(z(1, 2), '/eph/x', 0x77n, true), create(z(1, 3), '/reg/a/child')];
    for (const e of log) {
      a.apply(e);
      b.replay(e);
    }
    expect(a.fingerprint()).toBe(b.fingerprint());
    expect(a.verifyDigest()).toBeNull();
    expect(Replica.fromSnapshot(a.snapshotBytes()).fingerprint()).toBe(a.fingerprint());
    expect(a.orphanEphemerals()).toEqual(['/eph/x']); // 0x77 never had a createSession
  });
});

describe('sim determinism and replay', () => {
  it('the same seed gives the same run', () => {
    const a = runSeed(seedOptions(7), 200);
    const b = runSeed(seedOptions(7), 200);
    expect(b.summary()).toBe(a.summary());
    expect([...b.members.values()].map((m) => m.replica.fingerprint())).toEqual([...a.members.values()].map((m) => m.replica.fingerprint()));
  });

  it('a failure names its seed and happens again, identically, on replay', () => {
    const failOnce = () => {
      const sim = new ZabSim({ seed: 11, ...DEFAULT_OPTIONS, voters: 3 });
      let proposals = 0;
      sim.hooks.afterAppend = (m) => {
        if (m.isLeader && ++proposals === 40) sim.fail(`probe at leader ${m.sid}`);
      };
      try {
        sim.runTicks(400);
      } catch (e) {
        return e as SimFailure;
      }
      throw new Error('the probe never fired');
    };
    const first = failOnce();
    expect(first).toBeInstanceOf(SimFailure);
    expect(first.message).toMatch(/^SEED=11 t=\d+ms: probe at leader \d/);
    expect(failOnce().message).toBe(first.message);
  });
});
