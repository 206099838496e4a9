// Expiring a client's session from the outside, for tests of session-loss handling: a second
// connection resumes the session with its id and password (which drops the victim's connection)
// and closes it; the victim learns of the expiry when it reconnects. Plus a wait for that moment.
// Counterpart: Curator's org.apache.curator.test.KillSession (the pre-5.x, wire-level kind).

import { KeeperState, SessionExpiredError } from '../../protocol/index.js';
import { ClientClosedError, ZooKeeperClient, type SessionStateEvent } from '../client/index.js';
import type { Observable } from 'rxjs';

/** What identifies a session: a ZooKeeperClient has all of it. */
export interface SessionCredentials {
  readonly sessionId: bigint;
  readonly sessionPassword: Buffer;
  /** Resumed with this timeout (a resume sets the session's timeout); default: the client default. */
  readonly negotiatedSessionTimeoutMs?: number;
}

export interface KillSessionOptions {
  /** Give up (rejecting) after this long. Default 30000. */
  timeoutMs?: number;
}

/** Something whose session state can be watched: a ZooKeeperClient. */
export interface SessionStateSource {
  readonly state$: Observable<SessionStateEvent>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Closes `victim`'s session on the server. Resolves once the server has confirmed the session is
 * gone (a resume attempt is answered "expired"), so the victim's ephemerals are deleted and its
 * watches gone by then. The victim itself notices at its next (re)connection.
 */
export async function killSession(victim: SessionCredentials, connectString: string, options: KillSessionOptions = {}): Promise<void> {
  if (victim.sessionId === 0n) throw new TypeError('killSession: the victim has no session yet (sessionId 0)');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  // Usually two rounds: the first resumes and closes the session, the second is told it expired.
  // More when the victim reconnects in between and takes the session back before the close.
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`killSession: session 0x${hex(victim.sessionId)} still alive after ${timeoutMs} ms`);
    const killer = new ZooKeeperClient(connectString, {
      sessionId: victim.sessionId,
      sessionPassword: victim.sessionPassword,
      ...(victim.negotiatedSessionTimeoutMs ? { sessionTimeoutMs: victim.negotiatedSessionTimeoutMs } : {}),
      reconnectDelayMs: 0,
      spinDelayMs: 50,
    });
    try {
      await killer.waitForConnected(left);
    } catch (e) {
      await killer.close();
      if (e instanceof SessionExpiredError) return;
      throw e;
    }
    if (killer.sessionId !== victim.sessionId) {
      await killer.close();
      throw new Error(`killSession: resumed session 0x${hex(killer.sessionId)}, not 0x${hex(victim.sessionId)}`);
    }
    await killer.close();
  }
}

/**
 * Resolves when `client` reports Expired (at once if it already has); rejects if it closes first
 * or after `timeoutMs` (default 30000).
 */
export function waitForSessionExpired(client: SessionStateSource, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      queueMicrotask(() => sub.unsubscribe());
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`session not expired within ${timeoutMs} ms`)), timeoutMs);
    const sub = client.state$.subscribe({
      next: (e) => {
        if (e.state === KeeperState.Expired) finish();
        else if (e.state === KeeperState.Closed) finish(new ClientClosedError('the client closed before its session expired'));
      },
      complete: () => finish(new ClientClosedError('the client closed before its session expired')),
    });
  });
}

/** killSession, then waits until the victim itself has seen Expired. */
export async function killSessionAndWait(
  victim: SessionCredentials & SessionStateSource,
  connectString: string,
  options: KillSessionOptions = {},
): Promise<void> {
  const expired = waitForSessionExpired(victim, options.timeoutMs);
  expired.catch(() => undefined);
  await killSession(victim, connectString, options);
  await expired;
}

function hex(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16);
}
