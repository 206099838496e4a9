// The LockRegistry contract as one suite any backend runs (app/locks/lock-registry.ts and
// docs/lock-registry.md): obtain() checks, acquire / release, exclusion between registries on
// separate connections (as separate processes would be), timeouts, aborts, no re-entrancy,
// release idempotency and silent lost$, fencing tokens, semaphores, and close(). Each backend's
// own test file calls lockRegistryContract with a way to make registries on a live server.
// Nothing here waits on a fixed delay: waiting contenders are observed through `contenders`.
import { describe, expect, it } from 'vitest';
import {
  LockNotReentrantError, LockRegistryClosedError, LockTimeoutError, UnsupportedLockKindError,
  type HeldLock, type LockKind, type LockRegistry,
} from '../../../app/index.js';

export interface ContractBackend {
  /** A new registry on its own connection (closed by the backend after the test). */
  registry(): Promise<LockRegistry>;
  /** A key no other test uses. */
  key(label: string): string;
  /**
   * Resolves once `total` contenders (holders and waiters) are known to the server for `key` of
   * `kind` — ZooKeeper: their nodes exist; Redis (no queue): the waiter has polled again.
   */
  contenders(key: string, kind: LockKind, total: number): Promise<void>;
  /** Whether grants carry fencing tokens. */
  readonly fencing: boolean;
  /** The kinds the backend provides. */
  readonly kinds: readonly LockKind[];
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function lockRegistryContract(name: string, setup: () => ContractBackend): void {
  describe(`LockRegistry contract: ${name}`, () => {
    const env = setup();

    it('obtain() checks its arguments and names the kinds it provides', async () => {
      const locks = await env.registry();
      expect([...locks.kinds].sort()).toEqual([...env.kinds].sort());
      expect(() => locks.obtain('')).toThrow(TypeError);
      expect(() => locks.obtain(env.key('s'), { kind: 'semaphore' })).toThrow(RangeError);
      expect(() => locks.obtain(env.key('s'), { kind: 'semaphore', permits: 0 })).toThrow(RangeError);
      for (const kind of ['mutex', 'read', 'write', 'semaphore'] as const) {
        if (env.kinds.includes(kind)) continue;
        expect(() => locks.obtain(env.key('k'), { kind })).toThrow(UnsupportedLockKindError);
      }
      const lock = locks.obtain(env.key('m'));
      expect(lock.kind).toBe('mutex');
      await expect(lock.acquire({ timeoutMs: -1 })).rejects.toThrow(RangeError);
    });

    it('a free lock is acquired, even with timeoutMs 0; release() ends it quietly and is idempotent', async () => {
      const locks = await env.registry();
      const key = env.key('free');
      const lock = locks.obtain(key);
      const held = await lock.acquire({ timeoutMs: 0 });
      expect([held.key, held.kind, held.isHeld, lock.isHeld]).toEqual([key, 'mutex', true, true]);
      expect(typeof held.fencingToken).toBe(env.fencing ? 'bigint' : 'undefined');
      const seen: unknown[] = [];
      let completed = false;
      held.lost$.subscribe({ next: (e) => seen.push(e), complete: () => (completed = true) });
      await held.release();
      await held.release();
      expect([held.isHeld, lock.isHeld, completed, seen, held.lostSignal.aborted]).toEqual([false, false, true, [], false]);
      // A late subscriber sees the silent completion too.
      let lateCompleted = false;
      held.lost$.subscribe({ complete: () => (lateCompleted = true) });
      expect(lateCompleted).toBe(true);
    });

    it('registries on separate connections exclude each other; the waiter gets the lock after release', async () => {
      const [a, b] = await Promise.all([env.registry(), env.registry()]);
      const key = env.key('excl');
      const held = await a.obtain(key).acquire();
      const timedOut = await b.obtain(key).acquire({ timeoutMs: 150 }).catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(LockTimeoutError);
      expect(timedOut).toMatchObject({ key, timeoutMs: 150 });
      const waiting = b.obtain(key).acquire({ timeoutMs: 60_000 });
      await env.contenders(key, 'mutex', 2);
      await held.release();
      const next = await waiting;
      expect(next.isHeld).toBe(true);
      if (env.fencing) expect(compare(next.fencingToken!, held.fencingToken!)).toBe(1);
      await next.release();
    });

    it('never two holders: contenders on three registries run critical sections one at a time', async () => {
      const registries = await Promise.all([env.registry(), env.registry(), env.registry()]);
      const key = env.key('crit');
      let inside = 0;
      let maxInside = 0;
      const tokens: bigint[] = [];
      const worker = async (locks: LockRegistry): Promise<void> => {
        for (let i = 0; i < 4; i++) {
          const held = await locks.obtain(key).acquire({ timeoutMs: 120_000 });
          inside++;
          maxInside = Math.max(maxInside, inside);
          if (held.fencingToken !== undefined) tokens.push(held.fencingToken);
          await new Promise((r) => setTimeout(r, 2));
          inside--;
          await held.release();
        }
      };
      await Promise.all(registries.flatMap((r) => [worker(r), worker(r)]));
      expect(maxInside).toBe(1);
      if (env.fencing) {
        // Grants happen one after another, so each token is larger than the one before.
        expect(tokens).toHaveLength(24);
        expect(tokens).toEqual([...tokens].sort(compare));
        expect(new Set(tokens).size).toBe(24);
      }
    });

    it('a contender is not re-entrant: acquire() while holding or acquiring is refused; after release it may acquire again', async () => {
      const [a, b] = await Promise.all([env.registry(), env.registry()]);
      const key = env.key('reent');
      const lock = a.obtain(key);
      const held = await lock.acquire();
      await expect(lock.acquire({ timeoutMs: 0 })).rejects.toBeInstanceOf(LockNotReentrantError);
      // Two contenders of one registry exclude each other, even in one process.
      await expect(a.obtain(key).acquire({ timeoutMs: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
      await held.release();
      const blocker = await b.obtain(key).acquire();
      const pending = lock.acquire({ timeoutMs: 60_000 });
      await expect(lock.acquire({ timeoutMs: 0 })).rejects.toBeInstanceOf(LockNotReentrantError);
      await env.contenders(key, 'mutex', 2);
      await blocker.release();
      const again = await pending;
      expect(again.isHeld).toBe(true);
      await again.release();
    });

    it('aborting a waiting acquire rejects it with the reason and leaves nothing behind', async () => {
      const [a, b] = await Promise.all([env.registry(), env.registry()]);
      const key = env.key('abort');
      const held = await a.obtain(key).acquire();
      const stop = new AbortController();
      const waiting = b.obtain(key).acquire({ signal: stop.signal }).catch((e: unknown) => e);
      await env.contenders(key, 'mutex', 2);
      const reason = new Error('shutting down');
      stop.abort(reason);
      expect(await waiting).toBe(reason);
      const already = new AbortController();
      already.abort(new Error('already'));
      await expect(b.obtain(key).acquire({ signal: already.signal })).rejects.toThrow('already');
      await held.release();
      // The aborted contender left no claim: a fresh one gets the lock at once.
      const next = await b.obtain(key).acquire({ timeoutMs: 0 });
      await next.release();
    });

    it('close() releases what is held, rejects pending acquires and refuses new obtain() calls', async () => {
      const [a, b, c] = await Promise.all([env.registry(), env.registry(), env.registry()]);
      const key = env.key('close');
      const held: HeldLock = await a.obtain(key).acquire();
      const pending = b.obtain(key).acquire().catch((e: unknown) => e);
      await env.contenders(key, 'mutex', 2);
      await Promise.all([a.close(), b.close()]);
      expect(held.isHeld).toBe(false);
      expect(await pending).toBeInstanceOf(LockRegistryClosedError);
      expect(() => a.obtain(key)).toThrow(LockRegistryClosedError);
      const other = await c.obtain(key).acquire({ timeoutMs: 10_000 });
      await other.release();
    });

    it('a semaphore admits `permits` holders across registries, the next one after a release', async () => {
      if (!env.kinds.includes('semaphore')) return;
      const [a, b] = await Promise.all([env.registry(), env.registry()]);
      const key = env.key('sem');
      const slot = (locks: LockRegistry) => locks.obtain(key, { kind: 'semaphore', permits: 2 });
      const first = await slot(a).acquire();
      const second = await slot(b).acquire();
      expect(first.kind).toBe('semaphore');
      await expect(slot(b).acquire({ timeoutMs: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
      const third = slot(a).acquire({ timeoutMs: 60_000 });
      await env.contenders(key, 'semaphore', 3);
      await second.release();
      expect((await third).isHeld).toBe(true);
      expect(first.isHeld).toBe(true);
    });

    it('read / write: readers share, a writer excludes both', async () => {
      if (!env.kinds.includes('read')) return;
      const [a, b] = await Promise.all([env.registry(), env.registry()]);
      const key = env.key('rw');
      const r1 = await a.obtain(key, { kind: 'read' }).acquire({ timeoutMs: 0 });
      const r2 = await b.obtain(key, { kind: 'read' }).acquire({ timeoutMs: 0 });
      await expect(a.obtain(key, { kind: 'write' }).acquire({ timeoutMs: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
      const writing = b.obtain(key, { kind: 'write' }).acquire({ timeoutMs: 60_000 });
      await env.contenders(key, 'write', 3);
      await Promise.all([r1.release(), r2.release()]);
      const w = await writing;
      expect(w.kind).toBe('write');
      await expect(a.obtain(key, { kind: 'read' }).acquire({ timeoutMs: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
      await w.release();
    });
  });
}
