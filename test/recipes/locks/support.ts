// Helpers shared by the lock tests: frameworks with short timeouts (closed after each test), a
// plain client to look at the tree, child counts, the server's data watches under a path (wchp),
// a holders counter that fails on overlap, and a promise wrapper that tells whether it settled.
import { expect } from 'vitest';
import { ZooKeeperClient, NoNodeError, type Stat } from '../../../framework/index.js';
import { eventually } from '../../client/support/clients.js';
import { dataWatchesUnder } from '../../support/curator/observe.js';

export { useFrameworks, FAST_FRAMEWORK, nextConnectionState } from '../../framework/support/frameworks.js';
export { track, type Tracked } from '../../support/curator/observe.js';

export async function childrenOf(zk: ZooKeeperClient, path: string): Promise<string[]> {
  try {
    return (await zk.getChildren(path)).children;
  } catch (e) {
    if (e instanceof NoNodeError) return [];
    throw e;
  }
}

export function waitChildren(zk: ZooKeeperClient, path: string, n: number): Promise<void> {
  return eventually(async () => (await childrenOf(zk, path)).length === n, 20_000, `${n} children under ${path}`);
}

export async function statOf(zk: ZooKeeperClient, path: string): Promise<Stat> {
  const stat = await zk.exists(path);
  if (stat === null) throw new Error(`${path} does not exist`);
  return stat;
}

/** The server's data watches under `root` (path → session ids), once they equal `expected` (or the last seen, for the assertion). */
export async function expectDataWatches(port: number, root: string, expected: Map<string, bigint[]>): Promise<void> {
  let seen = new Map<string, bigint[]>();
  const same = (): boolean =>
    seen.size === expected.size && [...expected].every(([k, v]) => JSON.stringify(seen.get(k)?.map(String)) === JSON.stringify(v.map(String)));
  await eventually(async () => {
    seen = await dataWatchesUnder(port, root);
    return same();
  }, 10_000, 'data watches').catch(() => undefined);
  expect(seen).toEqual(expected);
}

/** Counts holders inside critical sections; `maxSeen` must stay within the limit. */
export class Holders {
  current = 0;
  maxSeen = 0;
  entries = 0;

  enter(): void {
    this.current++;
    this.entries++;
    this.maxSeen = Math.max(this.maxSeen, this.current);
  }

  leave(): void {
    this.current--;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
