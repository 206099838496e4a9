// Helpers for client tests: clients that are closed after each test, waiting for a session
// state or a watch event, and unique paths so tests sharing a server never collide.
import { afterEach } from 'vitest';
import { ZooKeeperClient, type ClientOptions, type WatchedEvent, type Watcher } from '../../../framework/index.js';
import { KeeperState } from '../../../protocol/index.js';

/** Options every test client uses unless it overrides them: short timeouts, fast reconnects. */
export const FAST: ClientOptions = { sessionTimeoutMs: 6000, reconnectDelayMs: 50, spinDelayMs: 200 };

/** Returns `open(connectString, options)`; everything it opened is closed after each test. */
export function useClients(): (connectString: string, options?: ClientOptions) => Promise<ZooKeeperClient> {
  const open: ZooKeeperClient[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  return async (connectString, options = {}) => {
    const client = new ZooKeeperClient(connectString, { ...FAST, ...options });
    open.push(client);
    await client.waitForConnected(20_000);
    return client;
  };
}

let counter = 0;
/** A fresh top-level path for one test. */
export function uniquePath(prefix = 't'): string {
  return `/${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

/** The next change to `state` (state$ replays the current state on subscribe; that one is skipped). */
export function nextState(client: ZooKeeperClient, state: KeeperState, ms = 20_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let replaying = true;
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`no ${state} state within ${ms} ms`));
    }, ms);
    const sub = client.state$.subscribe((e) => {
      if (replaying || e.state !== state) return;
      clearTimeout(timer);
      sub.unsubscribe();
      resolve();
    });
    replaying = false;
  });
}

/** A watcher that records its events and lets a test await the next one. */
export function recorder(): Watcher & { events: WatchedEvent[]; next(ms?: number): Promise<WatchedEvent> } {
  const events: WatchedEvent[] = [];
  let cursor = 0;
  const waiters: Array<() => void> = [];
  const fn = ((e: WatchedEvent) => {
    events.push(e);
    for (const w of waiters.splice(0)) w();
  }) as Watcher & { events: WatchedEvent[]; next(ms?: number): Promise<WatchedEvent> };
  fn.events = events;
  fn.next = async (ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (cursor >= events.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no watch event within ${ms} ms (saw ${JSON.stringify(events.map(describeEvent))})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return events[cursor++]!;
  };
  return fn;
}

export function describeEvent(e: WatchedEvent): string {
  return `${e.type}:${e.path}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await sleep(25);
  }
}
