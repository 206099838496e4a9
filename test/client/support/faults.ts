// Fault helpers for client tests: expiring a session from outside (the way Curator's KillSession
// does: open the same session id + password elsewhere and close it), and a clock that counts the
// timers it has pending (to prove a closed client leaves none behind).
import { ZooKeeperClient, systemClock, type Clock } from '../../../framework/index.js';

/** Closes `victim`'s session through a second connection; the victim then sees Expired. */
export async function expireSession(connectString: string, victim: ZooKeeperClient): Promise<void> {
  const killer = new ZooKeeperClient(connectString, {
    sessionId: victim.sessionId,
    sessionPassword: victim.sessionPassword,
    sessionTimeoutMs: victim.negotiatedSessionTimeoutMs,
  });
  await killer.waitForConnected(20_000);
  if (killer.sessionId !== victim.sessionId) throw new Error('expireSession: did not take over the session');
  await killer.close();
}

/** The system clock, counting timers set and not yet fired or cleared. */
export function countingClock(): Clock & { readonly pending: number } {
  const live = new Set<unknown>();
  return {
    now: () => systemClock.now(),
    setTimeout(fn, ms) {
      const handle: unknown = systemClock.setTimeout(() => {
        live.delete(handle);
        fn();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      systemClock.clearTimeout(handle);
    },
    get pending() {
      return live.size;
    },
  };
}

/** A random source just below 1: the shuffle keeps hosts in their listed order (and each reconnect pause is the full reconnectDelayMs). */
export const inOrder = (): number => 0.999999;
