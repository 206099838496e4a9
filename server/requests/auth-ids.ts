// A connection's authenticated ids as an auth packet extends them: each id once, and ids added by
// auth packets listed before the implicit `ip` id the connection started with — the order
// ZooKeeper keeps them in, which whoAmI shows. Counterpart: ServerCnxn.addAuthInfo / getAuthInfo.

import type { Id } from '../../protocol/records.js';

/** Adds `ids` to `authIds` in place: new ones go before the ip id, ids already there are skipped. */
export function addAuthIds(authIds: Id[], ids: readonly Id[]): void {
  for (const id of ids) {
    if (authIds.some((a) => a.scheme === id.scheme && a.id === id.id)) continue;
    const ipAt = authIds.findIndex((a) => a.scheme === 'ip');
    authIds.splice(ipAt < 0 ? authIds.length : ipAt, 0, id);
  }
}
