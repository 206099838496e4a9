// Helpers for cache tests: a recorder of a cache's events that a test can await, short event
// descriptions ("added /a", "updated /a=x"), and the server's watch count (mntr zk_watch_count)
// to prove watches are gone from the server.
import type { Observable, Subscription } from 'rxjs';
import type { CacheEvent } from '../../../framework/cache/index.js';
import { fourLetterWord } from '../../support/apache-zookeeper.js';
import { parseMntr } from '../../../bench/four-letter-words.js';

export interface EventRecorder {
  readonly events: CacheEvent[];
  /** Short descriptions of every event so far. */
  described(): string[];
  /** Waits until `check` holds for the events so far. */
  until(check: (events: CacheEvent[]) => boolean, what: string, ms?: number): Promise<void>;
  /** Waits for the event described as `description` (after those already awaited). */
  next(description: string, ms?: number): Promise<void>;
  unsubscribe(): void;
  readonly completed: boolean;
}

export function describe(e: CacheEvent): string {
  if (e.type === 'initialized') return 'initialized';
  const data = e.type === 'removed' || e.data === null ? '' : `=${e.data.toString()}`;
  return `${e.type} ${e.path}${data}`;
}

export function record(events$: Observable<CacheEvent>): EventRecorder {
  const events: CacheEvent[] = [];
  const waiters = new Set<() => void>();
  let completed = false;
  let cursor = 0;
  const sub: Subscription = events$.subscribe({
    next: (e) => {
      events.push(e);
      for (const w of [...waiters]) w();
    },
    complete: () => {
      completed = true;
      for (const w of [...waiters]) w();
    },
  });
  const until = (check: (events: CacheEvent[]) => boolean, what: string, ms = 20_000): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (check(events)) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`${what} not seen within ${ms} ms; events: ${JSON.stringify(events.map(describe))}`));
      }, ms);
      const waiter = (): void => {
        if (!check(events)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve();
      };
      waiters.add(waiter);
    });
  return {
    events,
    described: () => events.map(describe),
    until,
    async next(description, ms) {
      await until((all) => all.slice(cursor).some((e) => describe(e) === description), description, ms);
      cursor = events.findIndex((e, i) => i >= cursor && describe(e) === description) + 1;
    },
    unsubscribe: () => sub.unsubscribe(),
    get completed() {
      return completed;
    },
  };
}

/** The server's total watch count (zabkit and Apache: mntr zk_watch_count). */
export async function watchCount(port: number): Promise<number> {
  const n = parseMntr(await fourLetterWord(port, 'mntr')).get('watch_count');
  if (n === undefined) throw new Error('mntr has no zk_watch_count');
  return Number(n);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await sleep(25);
  }
}

/** A cache's view of a subtree: path → "data|czxid|mzxid" (what must match the server). */
export type TreeImage = Record<string, string>;

export function imageOf(nodes: Iterable<{ path: string; data: Buffer | null; stat: { czxid: bigint; mzxid: bigint } }>): TreeImage {
  const entries = [...nodes].map((n) => [n.path, `${n.data?.toString() ?? ''}|${n.stat.czxid}|${n.stat.mzxid}`] as const);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Same paths with the same data and zxids. */
export function sameImage(a: TreeImage, b: TreeImage): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

interface Reader {
  getData(path: string): Promise<{ data: Buffer | null; stat: { czxid: bigint; mzxid: bigint } }>;
  getChildren(path: string): Promise<{ children: string[] }>;
}

/** The server's subtree under `root` (to `maxDepth` levels), read with `client`; {} when root is missing. */
export async function serverImage(client: Reader, root: string, maxDepth = Number.POSITIVE_INFINITY): Promise<TreeImage> {
  const nodes: Array<{ path: string; data: Buffer | null; stat: { czxid: bigint; mzxid: bigint } }> = [];
  const visit = async (path: string, depth: number): Promise<void> => {
    try {
      const { data, stat } = await client.getData(path);
      nodes.push({ path, data, stat });
      if (depth >= maxDepth) return;
      const { children } = await client.getChildren(path);
      for (const name of children) await visit(path === '/' ? `/${name}` : `${path}/${name}`, depth + 1);
    } catch (e) {
      if ((e as Error).name !== 'NoNodeError') throw e;
    }
  };
  await visit(root, 0);
  return imageOf(nodes);
}

/** Sorted descriptions of node events (for comparing sets of differences). */
export function changeSet(events: readonly CacheEvent[]): string[] {
  return events.filter((e) => e.type !== 'initialized').map(describe).sort();
}
