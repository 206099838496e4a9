// InterProcessMultiLock: all or nothing, in order, released in reverse (checked with recording
// locks), one timeout for the whole acquire, a loss of any part reported on the lease; and on
// zabkit's server and Apache ZooKeeper 3.8 with real mutexes: a blocked part makes the whole
// acquire fail and give back what it took.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { ZooKeeperClient } from '../../../framework/index.js';
import {
  InterProcessMultiLock, InterProcessMutex, InterProcessSemaphoreMutex, LockTimeoutError, type AcquireOptions,
  type InterProcessLock, type LockHandle,
} from '../../../recipes/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { FAST, uniquePath } from '../../client/support/clients.js';
import { childrenOf, useFrameworks } from './support.js';

/** A lock that records acquire / release and can be told to fail. */
class RecordingLock implements InterProcessLock {
  held = 0;
  failWith: Error | undefined;
  readonly seenOptions: AcquireOptions[] = [];
  readonly loss = new Subject<Error>();
  private readonly controller = new AbortController();

  constructor(readonly name: string, private readonly log: string[]) {}

  async acquire(options: AcquireOptions = {}): Promise<LockHandle> {
    this.seenOptions.push(options);
    if (this.failWith) throw this.failWith;
    this.log.push(`acquire ${this.name}`);
    this.held++;
    let released = false;
    const lock = this;
    return {
      get isHeld() { return !released && !lock.controller.signal.aborted; },
      get isLost() { return lock.controller.signal.aborted; },
      lost$: this.loss.asObservable(),
      lostSignal: this.controller.signal,
      release: async () => {
        if (released) return;
        released = true;
        lock.held--;
        lock.log.push(`release ${lock.name}`);
      },
      [Symbol.asyncDispose]: async () => undefined,
    };
  }

  lose(error: Error): void {
    this.controller.abort(error);
    this.loss.next(error);
  }

  isAcquiredInThisProcess(): boolean {
    return this.held > 0;
  }
}

describe('InterProcessMultiLock (recording locks)', () => {
  it('acquires in order and releases in reverse', async () => {
    const log: string[] = [];
    const locks = ['a', 'b', 'c'].map((n) => new RecordingLock(n, log));
    const multi = new InterProcessMultiLock(locks);
    const lease = await multi.acquire();
    expect(multi.isAcquiredInThisProcess()).toBe(true);
    expect(lease.isHeld).toBe(true);
    await lease.release();
    await lease.release(); // idempotent
    expect(log).toEqual(['acquire a', 'acquire b', 'acquire c', 'release c', 'release b', 'release a']);
    expect(multi.isAcquiredInThisProcess()).toBe(false);
  });

  it('all or nothing: a failing part releases the parts taken, in reverse, and rethrows', async () => {
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => new RecordingLock(n, log));
    const boom = new Error('c is unavailable');
    c!.failWith = boom;
    await expect(new InterProcessMultiLock([a!, b!, c!]).acquire()).rejects.toBe(boom);
    expect(log).toEqual(['acquire a', 'acquire b', 'release b', 'release a']);
  });

  it('one timeout covers the whole acquire: each part gets what is left', async () => {
    const log: string[] = [];
    const locks = ['a', 'b'].map((n) => new RecordingLock(n, log));
    await (await new InterProcessMultiLock(locks).acquire({ timeoutMs: 5000 })).release();
    const [first, second] = locks.map((l) => l.seenOptions[0]?.timeoutMs ?? NaN);
    expect(first).toBeLessThanOrEqual(5000);
    expect(second).toBeLessThanOrEqual(first!);
    expect(() => new InterProcessMultiLock([])).toThrow(RangeError);
  });

  it('the loss of any part is the loss of the lease', async () => {
    const log: string[] = [];
    const [a, b] = ['a', 'b'].map((n) => new RecordingLock(n, log));
    const lease = await new InterProcessMultiLock([a!, b!]).acquire();
    const seen: Error[] = [];
    lease.lost$.subscribe((e) => seen.push(e));
    const gone = new Error('b lost');
    b!.lose(gone);
    expect(seen).toEqual([gone]);
    expect(lease.lostSignal.aborted).toBe(true);
    expect(lease.isLost).toBe(true);
    expect(lease.isHeld).toBe(false);
    await lease.release();
  });
});

describe.each([ZABKIT, APACHE_STANDALONE])('InterProcessMultiLock on $name', (spec) => {
  let backend: Backend;
  let zk: ZooKeeperClient;
  const open = useFrameworks();
  beforeAll(async () => {
    backend = await spec.start();
    zk = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await zk?.close();
    await backend?.stop();
  });

  it('over mutex paths: a part held elsewhere fails the whole acquire on timeout, leaving no node of ours', async () => {
    const root = uniquePath('multi');
    const [p1, p2] = [`${root}/one`, `${root}/two`];
    const [a, b] = await Promise.all([0, 1].map(() => open(backend.connectString)));
    const blocker = await new InterProcessMutex(b!, p2).acquire();
    const multi = new InterProcessMultiLock(a!, [p1, p2]);
    const error = await multi.acquire({ timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as LockTimeoutError).path).toBe(p2);
    expect(await childrenOf(zk, p1)).toEqual([]);
    expect(await childrenOf(zk, p2)).toHaveLength(1);
    await blocker.release();

    const lease = await multi.acquire({ timeoutMs: 5000 });
    expect(lease.fencingTokens).toHaveLength(2);
    expect(await childrenOf(zk, p1)).toHaveLength(1);
    expect(await childrenOf(zk, p2)).toHaveLength(1);
    await lease.release();
    expect(await childrenOf(zk, p1)).toEqual([]);
    expect(await childrenOf(zk, p2)).toEqual([]);
  });

  it('withLock runs as the owner of every part (re-entrant mutexes inside); mixes lock kinds', async () => {
    const root = uniquePath('multi-mixed');
    const fw = await open(backend.connectString);
    const mutex = new InterProcessMutex(fw, `${root}/mutex`);
    const semMutex = new InterProcessSemaphoreMutex(fw, `${root}/sem`);
    await new InterProcessMultiLock([mutex, semMutex]).withLock(async (lease) => {
      expect(lease.isHeld).toBe(true);
      const inner = await mutex.acquire({ timeoutMs: 1000 }); // re-entry: no second node
      expect(await childrenOf(zk, `${root}/mutex`)).toHaveLength(1);
      await inner.release();
    });
    expect(mutex.isAcquiredInThisProcess() || semMutex.isAcquiredInThisProcess()).toBe(false);
  });
});
