// Fault helpers for client tests: expiring a session from outside (as Curator's KillSession does:
// open the same session id + password elsewhere and close it), and a clock that counts the
// timers it has pending (to prove a closed client leaves none behind).
import { ZooKeeperClient, systemClock, type Clock } from '../../../framework/index.js';
import type { TcpProxy } from '../../support/tcp-proxy.js';

/**
 * Expires `victim`'s session: the victim (connected through `proxy`) is cut off and kept out,
 * a second client takes the session over with its id + password and closes it, then the victim
 * may reconnect and learns the session expired. Keeping the victim out while the session is
 * closed avoids the two clients stealing the session back and forth.
 */
export async function expireSession(victim: ZooKeeperClient, proxy: TcpProxy, connectString: string): Promise<void> {
  proxy.refuse(true);
  proxy.dropConnections();
  const killer = new ZooKeeperClient(connectString, {
    sessionId: victim.sessionId,
    sessionPassword: victim.sessionPassword,
    sessionTimeoutMs: victim.negotiatedSessionTimeoutMs,
  });
  await killer.waitForConnected(20_000);
  if (killer.sessionId !== victim.sessionId) throw new Error('expireSession: did not take over the session');
  await killer.close();
  proxy.refuse(false);
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
