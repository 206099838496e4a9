// The connection-state stream (fed session events by hand, in virtual time): Curator's mapping of
// ZooKeeper states, replay to new subscribers, simulated expiry, blockUntilConnected, the error
// policies and the circuit-breaking view.
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { KeeperState } from '../../protocol/index.js';
import { RetryNTimes } from '../../framework/retry/index.js';
import {
  circuitBreaking, ConnectionState, ConnectionStateManager, isConnectedState, SessionConnectionStateErrorPolicy,
  StandardConnectionStateErrorPolicy,
} from '../../framework/state/index.js';
import { VirtualClock } from './support/virtual-clock.js';

const { CONNECTED, SUSPENDED, RECONNECTED, LOST, READ_ONLY } = ConnectionState;

function manager(options: { percent?: number; sessionTimeoutMs?: number } = {}) {
  const clock = new VirtualClock();
  const expiries: number[] = [];
  const m = new ConnectionStateManager({
    clock,
    sessionTimeoutMs: () => options.sessionTimeoutMs ?? 10_000,
    simulatedSessionExpirationPercent: options.percent ?? 100,
    onSimulatedExpiry: () => expiries.push(clock.now()),
  });
  const seen: ConnectionState[] = [];
  m.state$.subscribe((s) => seen.push(s));
  return { m, clock, seen, expiries };
}

describe('ConnectionStateManager', () => {
  it('maps session events as Curator does: CONNECTED once, then SUSPENDED / RECONNECTED / LOST', () => {
    const { m, seen } = manager();
    m.onSessionState(KeeperState.SyncConnected);
    m.onSessionState(KeeperState.Disconnected);
    m.onSessionState(KeeperState.Disconnected); // repeated: dropped
    m.onSessionState(KeeperState.SyncConnected);
    m.onSessionState(KeeperState.Disconnected);
    m.onSessionState(KeeperState.Expired);
    m.onSessionState(KeeperState.Disconnected); // after LOST nothing is suspended
    m.onSessionState(KeeperState.SyncConnected); // the new session
    expect(seen).toEqual([CONNECTED, SUSPENDED, RECONNECTED, SUSPENDED, LOST, RECONNECTED]);
    expect(m.isConnected).toBe(true);
  });

  it('a read-only first connection is READ_ONLY; the first read-write one is still CONNECTED', () => {
    const { m, seen } = manager();
    m.onSessionState(KeeperState.ConnectedReadOnly);
    m.onSessionState(KeeperState.SyncConnected);
    m.onSessionState(KeeperState.ConnectedReadOnly);
    expect(seen).toEqual([READ_ONLY, CONNECTED, READ_ONLY]);
    expect(m.isConnected).toBe(true);
  });

  it('AuthFailed ends the session: LOST', () => {
    const { m, seen } = manager();
    m.onSessionState(KeeperState.SyncConnected);
    m.onSessionState(KeeperState.AuthFailed);
    expect(seen).toEqual([CONNECTED, LOST]);
  });

  it('new subscribers get the current state first, nothing before the first connection', () => {
    const { m } = manager();
    const early: ConnectionState[] = [];
    m.state$.subscribe((s) => early.push(s)).unsubscribe();
    expect(early).toEqual([]);
    m.onSessionState(KeeperState.SyncConnected);
    m.onSessionState(KeeperState.Disconnected);
    const late: ConnectionState[] = [];
    m.state$.subscribe((s) => late.push(s));
    m.onSessionState(KeeperState.SyncConnected);
    expect(late).toEqual([SUSPENDED, RECONNECTED]);
    expect(m.current).toBe(RECONNECTED);
  });

  it('simulated expiry: SUSPENDED for the whole session timeout becomes LOST', async () => {
    const { m, clock, seen, expiries } = manager({ sessionTimeoutMs: 10_000 });
    m.onSessionState(KeeperState.SyncConnected);
    m.onSessionState(KeeperState.Disconnected);
    await clock.advance(9_999);
    expect(seen).toEqual([CONNECTED, SUSPENDED]);
    await clock.advance(1);
    expect(expiries).toEqual([10_000]);
    expect(seen).toEqual([CONNECTED, SUSPENDED, LOST]);
    // The new session connects later: RECONNECTED, and no timer is left behind.
    m.onSessionState(KeeperState.SyncConnected);
    expect(seen.at(-1)).toBe(RECONNECTED);
    expect(clock.pending).toBe(0);
  });

  it('a reconnect within the session timeout cancels the simulated expiry', async () => {
    const { m, clock, seen, expiries } = manager({ sessionTimeoutMs: 10_000 });
    m.onSessionState(KeeperState.SyncConnected);
    m.onSessionState(KeeperState.Disconnected);
    await clock.advance(6_000);
    m.onSessionState(KeeperState.SyncConnected);
    m.onSessionState(KeeperState.Disconnected);
    await clock.advance(6_000); // 12 s since the first SUSPENDED, 6 s since the second
    expect(expiries).toEqual([]);
    expect(seen).toEqual([CONNECTED, SUSPENDED, RECONNECTED, SUSPENDED]);
    await clock.advance(4_000);
    expect(seen.at(-1)).toBe(LOST);
  });

  it('simulatedSessionExpirationPercent scales the timeout; 0 turns simulated expiry off', async () => {
    const half = manager({ sessionTimeoutMs: 10_000, percent: 50 });
    half.m.onSessionState(KeeperState.SyncConnected);
    half.m.onSessionState(KeeperState.Disconnected);
    await half.clock.advance(5_000);
    expect(half.seen.at(-1)).toBe(LOST);

    const off = manager({ sessionTimeoutMs: 10_000, percent: 0 });
    off.m.onSessionState(KeeperState.SyncConnected);
    off.m.onSessionState(KeeperState.Disconnected);
    await off.clock.advance(1_000_000);
    expect(off.seen).toEqual([CONNECTED, SUSPENDED]);
    expect(off.clock.pending).toBe(0);
  });

  it('blockUntilConnected resolves true on connection, false on timeout or close', async () => {
    const { m, clock } = manager();
    const timedOut = m.blockUntilConnected(1000);
    await clock.advance(1000);
    expect(await timedOut).toBe(false);
    const waiting = m.blockUntilConnected(5000);
    await clock.advance(10);
    m.onSessionState(KeeperState.SyncConnected);
    expect(await waiting).toBe(true);
    expect(await m.blockUntilConnected(0)).toBe(true);
    m.onSessionState(KeeperState.Disconnected);
    const forever = m.blockUntilConnected();
    m.close();
    expect(await forever).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('close completes the stream, also for later subscribers (after the last state)', () => {
    const { m } = manager();
    m.onSessionState(KeeperState.SyncConnected);
    m.close();
    const seen: string[] = [];
    m.state$.subscribe({ next: (s) => seen.push(s), complete: () => seen.push('complete') });
    expect(seen).toEqual([CONNECTED, 'complete']);
  });
});

describe('connection-state error policies', () => {
  it('standard: SUSPENDED and LOST are errors; session: only LOST', () => {
    const standard = new StandardConnectionStateErrorPolicy();
    const session = new SessionConnectionStateErrorPolicy();
    const all = [CONNECTED, SUSPENDED, RECONNECTED, LOST, READ_ONLY];
    expect(all.filter((s) => standard.isErrorState(s))).toEqual([SUSPENDED, LOST]);
    expect(all.filter((s) => session.isErrorState(s))).toEqual([LOST]);
    expect(all.filter(isConnectedState)).toEqual([CONNECTED, RECONNECTED, READ_ONLY]);
  });
});

describe('circuitBreaking', () => {
  function breaker(n = 3, sleepMs = 1000) {
    const clock = new VirtualClock();
    const source = new Subject<ConnectionState>();
    const seen: string[] = [];
    const sub = circuitBreaking(source, { retryPolicy: new RetryNTimes({ n, sleepMsBetweenRetries: sleepMs }), clock }).subscribe({
      next: (s) => seen.push(`${clock.now()}:${s}`),
      complete: () => seen.push('complete'),
    });
    return { clock, source, seen, sub };
  }

  it('passes connected states through while the circuit is closed', () => {
    const { source, seen } = breaker();
    source.next(CONNECTED);
    source.next(RECONNECTED);
    expect(seen).toEqual(['0:CONNECTED', '0:RECONNECTED']);
  });

  it('holds back flapping after a SUSPENDED and emits only the latest state when the circuit closes', async () => {
    const { clock, source, seen } = breaker();
    source.next(CONNECTED);
    source.next(SUSPENDED);
    await clock.advance(100);
    source.next(RECONNECTED);
    source.next(SUSPENDED);
    source.next(RECONNECTED);
    expect(seen).toEqual(['0:CONNECTED', '0:SUSPENDED']);
    await clock.advance(900);
    expect(seen).toEqual(['0:CONNECTED', '0:SUSPENDED', '1000:RECONNECTED']);
    source.next(SUSPENDED); // closed again: passes at once and reopens
    expect(seen.at(-1)).toBe('1000:SUSPENDED');
  });

  it('a LOST while open is passed through at once (only the first)', async () => {
    const { clock, source, seen } = breaker();
    source.next(CONNECTED);
    source.next(SUSPENDED);
    await clock.advance(10);
    source.next(LOST);
    source.next(SUSPENDED);
    source.next(LOST);
    expect(seen).toEqual(['0:CONNECTED', '0:SUSPENDED', '10:LOST']);
    source.next(RECONNECTED);
    await clock.advance(990);
    expect(seen.at(-1)).toBe('1000:RECONNECTED');
  });

  it('stays open while still disconnected, until the policy gives up; then the latest differing state is sent', async () => {
    const { clock, source, seen } = breaker(2, 1000);
    source.next(CONNECTED);
    source.next(SUSPENDED);
    await clock.advance(1500);
    source.next(RECONNECTED);
    source.next(SUSPENDED); // back to where it started: nothing to report at t=2000
    await clock.advance(500);
    expect(seen).toEqual(['0:CONNECTED', '0:SUSPENDED']);
    // t=2000: the policy (2 retries) was exhausted and the circuit closed without a message.
    source.next(LOST); // passes and opens a new circuit
    source.next(SUSPENDED);
    await clock.advance(1000);
    expect(seen).toEqual(['0:CONNECTED', '0:SUSPENDED', '2000:LOST']);
    await clock.advance(1000); // t=4000: exhausted again; SUSPENDED differs from LOST, so it is sent
    expect(seen).toEqual(['0:CONNECTED', '0:SUSPENDED', '2000:LOST', '4000:SUSPENDED']);
    expect(clock.pending).toBe(0);
  });

  it('unsubscribing or completion clears the circuit timer', async () => {
    const a = breaker();
    a.source.next(SUSPENDED);
    expect(a.clock.pending).toBe(1);
    a.sub.unsubscribe();
    expect(a.clock.pending).toBe(0);
    const b = breaker();
    b.source.next(SUSPENDED);
    b.source.complete();
    expect(b.clock.pending).toBe(0);
    expect(b.seen).toEqual(['0:SUSPENDED', 'complete']);
  });
});
