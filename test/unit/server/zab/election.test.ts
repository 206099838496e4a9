// Fast Leader Election as a pure machine (protocol.md §13.3): the vote order, the quorum rule
// (observers excluded), finalizeWait in ticks, replies to lagging and non-voting peers, joining
// a leader that is already elected, and two properties over random delivery orders.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Election, isBetterVote, PeerState, type Decision } from '../../../../server/zab/election.js';
import { quorumConfig, type QuorumConfig } from '../../../../server/zab/quorum-config.js';
import type { Notification } from '../../../../protocol/quorum.js';

const cfg3 = quorumConfig([1, 2, 3]);
const LONG_MIN = -(2n ** 63n);

function note(p: Partial<Notification> & { leader: bigint }): Notification {
  return { state: PeerState.LOOKING, zxid: 0n, electionEpoch: 1n, peerEpoch: 0n, version: 2, config: '', ...p };
}

/** Runs one step and returns (and clears) its ready. */
function stepOf(e: Election, input: Parameters<Election['step']>[0]) {
  e.step(input);
  const r = e.ready();
  e.advance();
  return r;
}

describe('vote order (totalOrderPredicate)', () => {
  it.each([
    ['higher peerEpoch wins over higher zxid and sid', { leader: 1n, zxid: 1n, peerEpoch: 3n }, { leader: 3n, zxid: 9n, peerEpoch: 2n }, true],
    ['same epoch: higher zxid wins', { leader: 1n, zxid: 5n, peerEpoch: 2n }, { leader: 3n, zxid: 4n, peerEpoch: 2n }, true],
    ['same epoch and zxid: higher sid wins', { leader: 3n, zxid: 5n, peerEpoch: 2n }, { leader: 2n, zxid: 5n, peerEpoch: 2n }, true],
    ['equal is not better', { leader: 2n, zxid: 5n, peerEpoch: 2n }, { leader: 2n, zxid: 5n, peerEpoch: 2n }, false],
    ['lower epoch loses', { leader: 3n, zxid: 9n, peerEpoch: 1n }, { leader: 1n, zxid: 0n, peerEpoch: 2n }, false],
    ['a non-voter never wins', { leader: 9n, zxid: 99n, peerEpoch: 99n }, { leader: 1n, zxid: 0n, peerEpoch: 0n }, false],
    ['anyone beats the observer vote', { leader: 1n, zxid: 0n, peerEpoch: 0n }, { leader: LONG_MIN, zxid: LONG_MIN, peerEpoch: LONG_MIN }, true],
  ])('%s', (_name, a, b, expected) => {
    expect(isBetterVote(cfg3, a, b)).toBe(expected);
  });
});

describe('one peer, message by message', () => {
  it('starts by proposing itself to every other voter, round 1', () => {
    const e = new Election({ myid: 2n, config: cfg3 });
    e.lookForLeader({ lastLoggedZxid: 0x100000004n, currentEpoch: 1n });
    const r = e.ready();
    expect(r.send.map((s) => s.to)).toEqual([1n, 3n]);
    expect(r.send[0]!.n).toEqual(note({ leader: 2n, zxid: 0x100000004n, peerEpoch: 1n }));
    expect(e.round).toBe(1n);
    expect(r.decided).toBeNull();
  });

  it('adopts a better vote, rebroadcasts, and decides FOLLOWING after finalizeWait', () => {
    const e = new Election({ myid: 1n, config: cfg3, finalizeWaitTicks: 2 });
    e.lookForLeader({ lastLoggedZxid: 5n, currentEpoch: 0n });
    e.advance();
    const r = stepOf(e, { type: 'notification', from: 3n, n: note({ leader: 3n, zxid: 5n }) });
    expect(r.send.map((s) => [s.to, s.n.leader])).toEqual([[2n, 3n], [3n, 3n]]);
    // 1 (own, via loopback) and 3 now both vote for 3: a quorum of 3, but wait finalizeWait.
    expect(r.decided).toBeNull();
    expect(stepOf(e, { type: 'tick' }).decided).toBeNull();
    const d = stepOf(e, { type: 'tick' }).decided;
    expect(d).toEqual({ state: PeerState.FOLLOWING, vote: { leader: 3n, zxid: 5n, peerEpoch: 0n, electionEpoch: 1n } });
    expect(e.state).toBe(PeerState.FOLLOWING);
  });

  it('a better vote during finalizeWait restarts the count; a worse one only delays it', () => {
    const cfg5 = quorumConfig([1, 2, 3, 4, 5]);
    const e = new Election({ myid: 3n, config: cfg5, finalizeWaitTicks: 2 });
    e.lookForLeader({ lastLoggedZxid: 7n, currentEpoch: 1n });
    stepOf(e, { type: 'notification', from: 1n, n: note({ leader: 1n, zxid: 2n, peerEpoch: 1n }) });
    stepOf(e, { type: 'notification', from: 2n, n: note({ leader: 3n, zxid: 7n, peerEpoch: 1n }) });
    expect(stepOf(e, { type: 'notification', from: 1n, n: note({ leader: 3n, zxid: 7n, peerEpoch: 1n }) }).decided).toBeNull();
    stepOf(e, { type: 'tick' });
    // A worse vote is dropped and the wait starts over.
    stepOf(e, { type: 'notification', from: 4n, n: note({ leader: 4n, zxid: 1n, peerEpoch: 1n }) });
    expect(stepOf(e, { type: 'tick' }).decided).toBeNull();
    // A better vote cancels finalizing: we follow 5 now and need a quorum for it.
    const r = stepOf(e, { type: 'notification', from: 5n, n: note({ leader: 5n, zxid: 7n, peerEpoch: 1n }) });
    expect(r.send.every((s) => s.n.leader === 5n)).toBe(true);
    expect(stepOf(e, { type: 'tick' }).decided).toBeNull();
    expect(stepOf(e, { type: 'tick' }).decided).toBeNull();
    stepOf(e, { type: 'notification', from: 4n, n: note({ leader: 5n, zxid: 7n, peerEpoch: 1n }) });
    stepOf(e, { type: 'tick' });
    expect(stepOf(e, { type: 'tick' }).decided?.vote.leader).toBe(5n);
  });

  it('decides LEADING for itself', () => {
    const e = new Election({ myid: 3n, config: cfg3, finalizeWaitTicks: 0 });
    e.lookForLeader({ lastLoggedZxid: 5n, currentEpoch: 0n });
    e.advance();
    const d = stepOf(e, { type: 'notification', from: 1n, n: note({ leader: 3n, zxid: 5n }) }).decided;
    expect(d?.state).toBe(PeerState.LEADING);
  });

  it('a higher round resets the received votes and compares against its own initial vote', () => {
    const e = new Election({ myid: 2n, config: cfg3, finalizeWaitTicks: 0 });
    e.lookForLeader({ lastLoggedZxid: 9n, currentEpoch: 1n });
    e.advance();
    const r = stepOf(e, { type: 'notification', from: 1n, n: note({ leader: 1n, zxid: 3n, peerEpoch: 1n, electionEpoch: 4n }) });
    expect(e.round).toBe(4n);
    expect(r.send.every((s) => s.n.leader === 2n && s.n.electionEpoch === 4n)).toBe(true);
  });

  it('ignores a lower round but tells the lagging peer our round and proposal', () => {
    const e = new Election({ myid: 2n, config: cfg3 });
    e.lookForLeader({ lastLoggedZxid: 0n, currentEpoch: 0n });
    e.lookForLeader({ lastLoggedZxid: 0n, currentEpoch: 0n });
    e.advance();
    const r = stepOf(e, { type: 'notification', from: 3n, n: note({ leader: 3n, zxid: 9n, electionEpoch: 1n }) });
    expect(r.send).toEqual([{ to: 3n, n: note({ leader: 2n, zxid: 0n, electionEpoch: 2n }) }]);
    expect(e.currentProposal.leader).toBe(2n);
  });

  it('ignores LOOKING votes with zxid -1', () => {
    const e = new Election({ myid: 1n, config: cfg3 });
    e.lookForLeader({ lastLoggedZxid: 0n, currentEpoch: 0n });
    e.advance();
    expect(stepOf(e, { type: 'notification', from: 3n, n: note({ leader: 3n, zxid: -1n }) }).send).toEqual([]);
    expect(e.currentProposal.leader).toBe(1n);
  });

  it('re-sends its notifications after silence, backing off up to the max', () => {
    const e = new Election({ myid: 1n, config: cfg3, minNotificationTicks: 1, maxNotificationTicks: 4 });
    e.lookForLeader({ lastLoggedZxid: 0n, currentEpoch: 0n });
    e.advance();
    const sentAt: number[] = [];
    for (let t = 1; t <= 20; t++) if (stepOf(e, { type: 'tick' }).send.length > 0) sentAt.push(t);
    expect(sentAt).toEqual([1, 3, 7, 11, 15, 19]);
  });

  it('once decided, answers a LOOKING peer with its vote and state', () => {
    const e = new Election({ myid: 3n, config: cfg3, finalizeWaitTicks: 0 });
    e.lookForLeader({ lastLoggedZxid: 5n, currentEpoch: 2n });
    stepOf(e, { type: 'notification', from: 1n, n: note({ leader: 3n, zxid: 5n, peerEpoch: 2n }) });
    const r = stepOf(e, { type: 'notification', from: 2n, n: note({ leader: 2n, electionEpoch: 7n }) });
    expect(r.send).toEqual([{ to: 2n, n: note({ state: PeerState.LEADING, leader: 3n, zxid: 5n, peerEpoch: 2n, electionEpoch: 1n }) }]);
    expect(stepOf(e, { type: 'notification', from: 2n, n: note({ state: PeerState.FOLLOWING, leader: 3n }) }).send).toEqual([]);
  });
});

describe('joining an established leader (out of election)', () => {
  const following = (leader: bigint, electionEpoch: bigint, state: PeerState = PeerState.FOLLOWING) =>
    note({ state, leader, zxid: 0x200000000n, peerEpoch: 2n, electionEpoch });

  it('follows once a quorum reports the leader and the leader itself says LEADING', () => {
    const e = new Election({ myid: 3n, config: cfg3 });
    // Our data is better than the leader's, but the ensemble has already elected 2.
    e.lookForLeader({ lastLoggedZxid: 0x300000000n, currentEpoch: 3n });
    e.advance();
    expect(stepOf(e, { type: 'notification', from: 1n, n: following(2n, 5n) }).decided).toBeNull();
    const d = stepOf(e, { type: 'notification', from: 2n, n: following(2n, 5n, PeerState.LEADING) }).decided;
    expect(d).toEqual({ state: PeerState.FOLLOWING, vote: { leader: 2n, zxid: 0x200000000n, peerEpoch: 2n, electionEpoch: 5n } });
    expect(e.round).toBe(5n);
  });

  it('does not follow a leader that has not said LEADING, however many follow it', () => {
    const cfg5 = quorumConfig([1, 2, 3, 4, 5]);
    const e = new Election({ myid: 5n, config: cfg5 });
    e.lookForLeader({ lastLoggedZxid: 0n, currentEpoch: 0n });
    for (const sid of [1n, 3n, 4n]) expect(stepOf(e, { type: 'notification', from: sid, n: following(2n, 5n) }).decided).toBeNull();
  });

  it('counts same-round FOLLOWING votes in the round itself', () => {
    const e = new Election({ myid: 1n, config: cfg3 });
    e.lookForLeader({ lastLoggedZxid: 0n, currentEpoch: 0n });
    e.advance();
    stepOf(e, { type: 'notification', from: 3n, n: note({ state: PeerState.LEADING, leader: 3n, electionEpoch: 1n }) });
    const d = stepOf(e, { type: 'notification', from: 2n, n: note({ state: PeerState.FOLLOWING, leader: 3n, electionEpoch: 1n }) }).decided;
    expect(d?.vote.leader).toBe(3n);
  });
});

describe('observers', () => {
  const cfg = quorumConfig([1, 2, 3], [4]);

  it('an observer proposes nobody and is answered, not counted', () => {
    const o = new Election({ myid: 4n, config: cfg });
    o.lookForLeader({ lastLoggedZxid: 0x900000000n, currentEpoch: 9n });
    const r = o.ready();
    expect(r.send.map((s) => s.to)).toEqual([1n, 2n, 3n]);
    expect(r.send[0]!.n.leader).toBe(LONG_MIN);
    const v = new Election({ myid: 1n, config: cfg });
    v.lookForLeader({ lastLoggedZxid: 0n, currentEpoch: 0n });
    v.advance();
    const reply = stepOf(v, { type: 'notification', from: 4n, n: r.send[0]!.n });
    expect(reply.send).toHaveLength(1);
    expect(reply.send[0]!.to).toBe(4n);
    expect(v.currentProposal.leader).toBe(1n);
  });

  it('an observer in a later round does not answer a lagging voter (no endless ping-pong)', () => {
    const o = new Election({ myid: 4n, config: cfg });
    o.lookForLeader({ lastLoggedZxid: 0n, currentEpoch: 0n });
    o.lookForLeader({ lastLoggedZxid: 0n, currentEpoch: 0n });
    o.advance();
    expect(stepOf(o, { type: 'notification', from: 1n, n: note({ leader: 1n, electionEpoch: 1n }) }).send).toEqual([]);
  });

  it('an observer decides OBSERVING when the voters have elected a leader', () => {
    const o = new Election({ myid: 4n, config: cfg });
    o.lookForLeader({ lastLoggedZxid: 0n, currentEpoch: 0n });
    o.advance();
    stepOf(o, { type: 'notification', from: 1n, n: note({ state: PeerState.FOLLOWING, leader: 3n, electionEpoch: 2n }) });
    const d = stepOf(o, { type: 'notification', from: 3n, n: note({ state: PeerState.LEADING, leader: 3n, electionEpoch: 2n }) }).decided;
    expect(d?.state).toBe(PeerState.OBSERVING);
  });
});

// ---------------------------------------------------------------------------------------------
// Whole ensembles on a random delivery order

interface Outcome { decisions: Map<bigint, Decision>; }

/**
 * Runs FLE among `reachable` (the others are down: messages to them are lost). Messages are
 * delivered in an order drawn from `seed`; a tick happens only when nothing is in flight, so
 * every sent vote arrives within finalizeWait (the "same inputs" assumption).
 */
function runEnsemble(config: QuorumConfig, state: Map<bigint, { zxid: bigint; epoch: bigint; rounds: number }>, reachable: Set<bigint>, seed: number, maxTicks = 60): Outcome {
  let s = seed >>> 0;
  const rand = (n: number) => { s = (s * 1664525 + 1013904223) >>> 0; return s % n; };
  const nodes = new Map<bigint, Election>();
  const inflight: { from: bigint; to: bigint; n: Notification }[] = [];
  const decisions = new Map<bigint, Decision>();
  const collect = (sid: bigint, e: Election) => {
    const r = e.ready();
    for (const m of r.send) if (reachable.has(m.to)) inflight.push({ from: sid, to: m.to, n: m.n });
    if (r.decided) decisions.set(sid, r.decided);
    e.advance();
  };
  for (const sid of [...config.voters, ...config.observers]) {
    if (!reachable.has(sid)) continue;
    const e = new Election({ myid: sid, config, finalizeWaitTicks: 1 });
    const st = state.get(sid)!;
    // Earlier rounds happened long ago: only the last round's notifications are in flight.
    for (let i = 0; i < st.rounds; i++) { e.advance(); e.lookForLeader({ lastLoggedZxid: st.zxid, currentEpoch: st.epoch }); }
    nodes.set(sid, e);
  }
  for (const [sid, e] of nodes) collect(sid, e);
  let deliveries = 0;
  for (let ticks = 0; ticks < maxTicks && decisions.size < nodes.size;) {
    if (inflight.length > 0) {
      if (++deliveries > 20_000) throw new Error(`no quiescence: ${inflight.length} in flight, e.g. ${JSON.stringify(inflight.slice(0, 3), (_k, v) => typeof v === 'bigint' ? String(v) : v)}`);
      const [m] = inflight.splice(rand(inflight.length), 1);
      const e = nodes.get(m!.to)!;
      e.step({ type: 'notification', from: m!.from, n: m!.n });
      collect(m!.to, e);
    } else {
      ticks++;
      for (const [sid, e] of nodes) { e.step({ type: 'tick' }); collect(sid, e); }
    }
  }
  return { decisions };
}

const peerData = fc.record({
  zxid: fc.bigInt({ min: 0n, max: 3n }),
  epoch: fc.bigInt({ min: 0n, max: 2n }),
  rounds: fc.integer({ min: 1, max: 3 }),
});

describe('properties', () => {
  it('all reachable voters of a quorum in the same round decide the same, best, leader; exactly one LEADING', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 7 }), fc.array(peerData, { minLength: 7, maxLength: 7 }), fc.integer(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 }),
      (size, data, seed, down, rounds) => {
        const voters = Array.from({ length: size }, (_, i) => BigInt(i + 1));
        const config = quorumConfig(voters);
        const state = new Map(voters.map((sid, i) => [sid, { ...data[i]!, rounds, zxid: (data[i]!.epoch << 32n) | data[i]!.zxid }]));
        const maxDown = Math.floor((size - 1) / 2);
        const reachable = new Set(voters.slice(0, size - Math.min(down, maxDown)));
        const { decisions } = runEnsemble(config, state, reachable, seed);
        expect(decisions.size).toBe(reachable.size);
        const leaders = new Set([...decisions.values()].map((d) => d.vote.leader));
        expect(leaders.size).toBe(1);
        const best = [...reachable].reduce((a, b) => {
          const va = state.get(a)!, vb = state.get(b)!;
          return isBetterVote(config, { leader: b, zxid: vb.zxid, peerEpoch: vb.epoch }, { leader: a, zxid: va.zxid, peerEpoch: va.epoch }) ? b : a;
        });
        expect([...leaders][0]).toBe(best);
        expect([...decisions.values()].filter((d) => d.state === PeerState.LEADING)).toHaveLength(1);
      },
    ), { numRuns: 150 });
  });

  // Peers in different rounds may split: some decide in the old round while others move on,
  // and FLE alone cannot reunite them (Zab's epoch handshake and initLimit do). What holds is
  // agreement within a round: one leader per electionEpoch, and only it says LEADING.
  it('peers starting in different rounds agree within each round that decides', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 7 }), fc.array(peerData, { minLength: 7, maxLength: 7 }), fc.integer(),
      (size, data, seed) => {
        const voters = Array.from({ length: size }, (_, i) => BigInt(i + 1));
        const config = quorumConfig(voters);
        const state = new Map(voters.map((sid, i) => [sid, { ...data[i]!, zxid: (data[i]!.epoch << 32n) | data[i]!.zxid }]));
        const { decisions } = runEnsemble(config, state, new Set(voters), seed);
        const byRound = new Map<bigint, Decision[]>();
        for (const d of decisions.values()) byRound.set(d.vote.electionEpoch, [...(byRound.get(d.vote.electionEpoch) ?? []), d]);
        for (const ds of byRound.values()) {
          expect(new Set(ds.map((d) => d.vote.leader)).size).toBe(1);
          expect(ds.filter((d) => d.state === PeerState.LEADING).length).toBeLessThanOrEqual(1);
        }
      },
    ), { numRuns: 300 });
  });

  it('a minority of voters never decides, observers included', () => {
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 7 }), fc.array(peerData, { minLength: 9, maxLength: 9 }), fc.integer(), fc.integer({ min: 0, max: 2 }),
      (size, data, seed, observers) => {
        const voters = Array.from({ length: size }, (_, i) => BigInt(i + 1));
        const obs = Array.from({ length: observers }, (_, i) => BigInt(size + i + 1));
        const config = quorumConfig(voters, obs);
        const state = new Map([...voters, ...obs].map((sid, i) => [sid, { ...data[i]!, zxid: (data[i]!.epoch << 32n) | data[i]!.zxid }]));
        const minority = voters.slice(0, Math.floor(size / 2));
        const { decisions } = runEnsemble(config, state, new Set([...minority, ...obs]), seed, 40);
        expect(decisions.size).toBe(0);
      },
    ), { numRuns: 100 });
  });

  it('with observers present, observers decide OBSERVING and are never elected', () => {
    fc.assert(fc.property(fc.array(peerData, { minLength: 5, maxLength: 5 }), fc.integer(), (data, seed) => {
      const config = quorumConfig([1, 2, 3], [4, 5]);
      const state = new Map([1n, 2n, 3n, 4n, 5n].map((sid, i) => [sid, { ...data[i]!, zxid: (data[i]!.epoch << 32n) | data[i]!.zxid }]));
      const { decisions } = runEnsemble(config, state, new Set([1n, 2n, 3n, 4n, 5n]), seed);
      const voterLeaders = new Set([1n, 2n, 3n].map((sid) => decisions.get(sid)?.vote.leader));
      expect(voterLeaders.size).toBe(1);
      const leader = [...voterLeaders][0];
      expect([1n, 2n, 3n]).toContain(leader);
      for (const o of [4n, 5n]) {
        const d = decisions.get(o);
        // An observer that decided follows the same leader in OBSERVING state.
        if (d) expect(d).toMatchObject({ state: PeerState.OBSERVING, vote: { leader } });
      }
    }), { numRuns: 100 });
  });
});
