// @WithLock on real @Coordinated() services resolved from containers made by registerZooKeeper
// + registerCoordination, against zabkit's server: exclusion across sessions, keys from
// arguments, timeout, release after a throw, currentLock() (fencing token, loss signal),
// re-entry on the same key, loss while the method runs, kinds, other registries, and the
// errors for instances that cannot reach their container.
import 'reflect-metadata';
import RedisMock from 'ioredis-mock';
import type { Redis } from 'ioredis';
import { firstValueFrom, type Observable } from 'rxjs';
import { container as root, inject, injectable } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONNECTION_STATES, ZooKeeperFramework, type ConnectionState,
} from '../../../framework/index.js';
import { killSession } from '../../../framework/testing/index.js';
import {
  Coordinated, currentLock, LOCK_REGISTRY, LockLostError, LockRegistryClosedError, LockTimeoutError, NoCurrentLockError,
  NotCoordinatedError, RedisLockRegistry, WithLock, ZooKeeperLockRegistry, type LockContext, type LockRegistry,
} from '../../../app/index.js';
import { ZABKIT, type Backend } from '../../client/support/backends.js';
import { uniquePath } from '../../client/support/clients.js';
import { childrenReach, eventually, frameworkOf, gate, useScopes } from '../support/scopes.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Counts how many calls are inside at once, per key. */
class Occupancy {
  private readonly inside = new Map<string, number>();
  readonly max = new Map<string, number>();
  enter(key: string): void {
    const n = (this.inside.get(key) ?? 0) + 1;
    this.inside.set(key, n);
    this.max.set(key, Math.max(n, this.max.get(key) ?? 0));
  }
  leave(key: string): void {
    this.inside.set(key, this.inside.get(key)! - 1);
  }
  now(key: string): number {
    return this.inside.get(key) ?? 0;
  }
}

const OCCUPANCY = Symbol('test.Occupancy');

@injectable()
@Coordinated()
class Ledger {
  readonly tokens: bigint[] = [];
  constructor(
    readonly zk: ZooKeeperFramework,
    @inject(CONNECTION_STATES) readonly states$: Observable<ConnectionState>,
    @inject(OCCUPANCY) readonly occupancy: Occupancy,
  ) {}

  @WithLock('ledger', { timeoutMs: 60_000 })
  async post(pauseMs: number): Promise<bigint> {
    this.occupancy.enter('ledger');
    const token = currentLock().fencingToken!;
    this.tokens.push(token);
    await sleep(pauseMs);
    this.occupancy.leave('ledger');
    return token;
  }

  @WithLock((account: string) => `account-${account}`, { timeoutMs: 60_000 })
  async credit(account: string, wait: Promise<void>): Promise<string> {
    this.occupancy.enter(account);
    await wait;
    this.occupancy.leave(account);
    return currentLock().key;
  }

  @WithLock('ledger', { timeoutMs: 0 })
  async tryPost(): Promise<string> {
    return 'posted';
  }

  @WithLock('ledger', { timeoutMs: 300 })
  async postWithin300ms(): Promise<string> {
    return 'posted';
  }

  @WithLock('ledger', { timeoutMs: 5_000 })
  async fail(): Promise<never> {
    throw new RangeError('bad posting');
  }

  @WithLock('ledger')
  async outer(): Promise<[string, string, bigint | undefined, bigint | undefined]> {
    const outer = currentLock();
    const [innerKey, innerToken] = await this.inner();
    return [outer.key, innerKey, outer.fencingToken, innerToken];
  }

  @WithLock('ledger', { timeoutMs: 2_000 })
  async inner(): Promise<[string, bigint | undefined]> {
    const c = currentLock('ledger');
    return [c.key, c.fencingToken];
  }

  @WithLock('ledger')
  async nested(): Promise<string[]> {
    return this.audit();
  }

  @WithLock('audit')
  async audit(): Promise<string[]> {
    return [currentLock().key, currentLock('ledger').key, currentLock('audit').key];
  }

  @WithLock('ledger')
  async holdUntil(open: Promise<void>, seen: (c: LockContext) => void): Promise<string> {
    seen(currentLock());
    await open;
    return 'finished';
  }
}

@injectable()
@Coordinated()
class Library {
  constructor(
    @inject(OCCUPANCY) readonly occupancy: Occupancy,
    readonly zk: ZooKeeperFramework,
  ) {}

  @WithLock('shelf', { kind: 'read', timeoutMs: 30_000 })
  async read(wait: Promise<void>): Promise<void> {
    this.occupancy.enter('read');
    await wait;
    this.occupancy.leave('read');
  }

  @WithLock('shelf', { kind: 'write', timeoutMs: 300 })
  async write(): Promise<string> {
    return currentLock().kind;
  }

  @WithLock('printers', { kind: 'semaphore', permits: 2, timeoutMs: 30_000 })
  async print(wait: Promise<void>): Promise<void> {
    this.occupancy.enter('print');
    await wait;
    this.occupancy.leave('print');
  }
}

/** @Coordinated() above @injectable(), and no @inject: the order does not matter. */
@Coordinated()
@injectable()
class Reverse {
  constructor(readonly zk: ZooKeeperFramework) {}

  @WithLock('reverse')
  async run(): Promise<string> {
    return `${currentLock().key} on ${this.zk.lifecycle}`;
  }
}

/** Decorated methods, but the class is not @Coordinated(). */
@injectable()
class Forgotten {
  @WithLock('forgotten')
  async run(): Promise<void> {}
}

describe('@WithLock on zabkit', () => {
  let backend: Backend;
  const open = useScopes();
  beforeAll(async () => {
    backend = await ZABKIT.start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  async function ledgerScope(occupancy = new Occupancy(), lockRoot = uniquePath('locks')) {
    const scope = await open(backend.connectString, { coordination: { zookeeperLocks: { root: lockRoot } } });
    scope.register(OCCUPANCY, { useValue: occupancy });
    return { scope, ledger: scope.resolve(Ledger), lockRoot };
  }

  it('instances in two containers (two sessions) never run a locked method at once; fencing tokens grow', async () => {
    const occupancy = new Occupancy();
    const a = await ledgerScope(occupancy);
    const b = await ledgerScope(occupancy, a.lockRoot);
    expect(a.ledger.zk).not.toBe(b.ledger.zk);
    const calls = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a.ledger : b.ledger).post(15));
    const tokens = await Promise.all(calls);
    expect(occupancy.max.get('ledger')).toBe(1);
    const granted = [...a.ledger.tokens, ...b.ledger.tokens].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    expect(new Set(tokens).size).toBe(6);
    expect(granted).toEqual([...tokens].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    // The lock nodes are InterProcessMutex nodes of the registry's layout, and all gone now.
    expect(await a.ledger.zk.getChildren(`${a.lockRoot}/mutex/ledger`)).toEqual([]);
  });

  it('the key comes from the arguments: other keys run side by side, the same key waits', async () => {
    const occupancy = new Occupancy();
    const { ledger, lockRoot } = await ledgerScope(occupancy);
    const first = gate();
    const alice = ledger.credit('alice', first.promise);
    const bob = ledger.credit('bob', Promise.resolve());
    expect(await bob).toBe('account-bob'); // not held up by alice's lock
    const alice2 = ledger.credit('alice', Promise.resolve());
    await childrenReach(ledger.zk, `${lockRoot}/mutex/account-alice`, 2); // the second call is queued behind the first
    expect(occupancy.max.get('alice')).toBe(1);
    first.open();
    expect(await Promise.all([alice, alice2])).toEqual(['account-alice', 'account-alice']);
    expect(occupancy.max.get('alice')).toBe(1);
  });

  it('gives up with LockTimeoutError without running the method; timeoutMs 0 still takes a free lock', async () => {
    const a = await ledgerScope();
    const b = await ledgerScope(new Occupancy(), a.lockRoot);
    expect(await b.ledger.tryPost()).toBe('posted');
    const hold = gate();
    const entered = gate();
    const holding = a.ledger.holdUntil(hold.promise, () => entered.open());
    await entered.promise;
    await expect(b.ledger.tryPost()).rejects.toBeInstanceOf(LockTimeoutError);
    const error = await b.ledger.postWithin300ms().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toMatchObject({ key: 'ledger', timeoutMs: 300 });
    hold.open();
    expect(await holding).toBe('finished');
    expect(await b.ledger.postWithin300ms()).toBe('posted');
  });

  it("a method that throws: the caller gets the method's error and the lock is released", async () => {
    const a = await ledgerScope();
    const b = await ledgerScope(new Occupancy(), a.lockRoot);
    await expect(a.ledger.fail()).rejects.toThrow(RangeError);
    expect(await b.ledger.tryPost()).toBe('posted');
    expect(await a.ledger.zk.getChildren(`${a.lockRoot}/mutex/ledger`)).toEqual([]);
  });

  it('currentLock(): the lock of the running method, by key in nested methods; outside, NoCurrentLockError', async () => {
    const { ledger } = await ledgerScope();
    const [outerKey, innerKey, outerToken, innerToken] = await ledger.outer();
    // The same key re-enters the held lock: no second node, no wait, the same token.
    expect([outerKey, innerKey]).toEqual(['ledger', 'ledger']);
    expect(typeof outerToken).toBe('bigint');
    expect(innerToken).toBe(outerToken);
    expect(await ledger.nested()).toEqual(['audit', 'ledger', 'audit']);
    expect(() => currentLock()).toThrow(NoCurrentLockError);
    let seen!: LockContext;
    const hold = gate();
    const entered = gate();
    const running = ledger.holdUntil(hold.promise, (c) => ((seen = c), entered.open()));
    await entered.promise;
    expect(seen).toMatchObject({ key: 'ledger', kind: 'mutex', isHeld: true });
    expect(seen.signal.aborted).toBe(false);
    hold.open();
    await running;
    expect(seen.isHeld).toBe(false);
  });

  it('a lock lost while the method runs: its signal aborts with LockLostError and the call rejects with it', async () => {
    const a = await ledgerScope();
    const b = await ledgerScope(new Occupancy(), a.lockRoot);
    let seen!: LockContext;
    const hold = gate();
    const entered = gate();
    const running = a.ledger.holdUntil(hold.promise, (c) => ((seen = c), entered.open()));
    const outcome = running.catch((e: unknown) => e);
    await entered.promise;
    await killSession(frameworkOf(a.scope).client, backend.connectString);
    const loss = await firstValueFrom(seen.lost$);
    expect(loss).toBeInstanceOf(LockLostError);
    expect(seen.signal.aborted).toBe(true);
    expect(seen.signal.reason).toBe(loss);
    // The session's lock node is gone: the other instance gets the lock while the method still runs.
    expect(await b.ledger.postWithin300ms().catch(() => b.ledger.tryPost())).toBe('posted');
    hold.open();
    expect(await outcome).toBe(loss);
  });

  it('read / write and semaphore kinds', async () => {
    const occupancy = new Occupancy();
    const lockRoot = uniquePath('locks');
    const scope = await open(backend.connectString, { coordination: { zookeeperLocks: { root: lockRoot } } });
    scope.register(OCCUPANCY, { useValue: occupancy });
    const library = scope.resolve(Library);
    const reading = gate();
    const readers = [library.read(reading.promise), library.read(reading.promise)];
    await eventually(() => occupancy.now('read') === 2, 'both readers inside'); // readers share
    await expect(library.write()).rejects.toBeInstanceOf(LockTimeoutError);
    reading.open();
    await Promise.all(readers);
    expect(await library.write()).toBe('write');

    const printing = gate();
    const jobs = [0, 1, 2, 3].map(() => library.print(printing.promise));
    await eventually(() => occupancy.now('print') === 2, 'two printers busy');
    // The other two are queued: one holds the semaphore's inner mutex and waits for a lease, one waits for that mutex.
    await childrenReach(library.zk, `${lockRoot}/semaphore/printers/locks`, 2);
    expect(occupancy.max.get('print')).toBe(2);
    printing.open();
    await Promise.all(jobs);
    expect(occupancy.max.get('print')).toBe(2);
  });

  it('@Coordinated() works above or below @injectable(), with or without @inject parameters', async () => {
    const scope = await open(backend.connectString);
    const reverse = scope.resolve(Reverse);
    expect(await reverse.run()).toBe('reverse on started');
    expect(reverse).toBeInstanceOf(Reverse);
    expect(Reverse.name).toBe('Reverse');
    const { ledger } = await ledgerScope();
    expect(await firstValueFrom(ledger.states$)).toBe('CONNECTED');
  });

  it('an instance that cannot reach its container fails with NotCoordinatedError saying why', async () => {
    const scope = await open(backend.connectString);
    const forgotten = scope.resolve(Forgotten);
    await expect(forgotten.run()).rejects.toThrow(NotCoordinatedError);
    await expect(forgotten.run()).rejects.toThrow('Forgotten.run: Forgotten is not @Coordinated(): add @Coordinated() to the class');
    const handMade = new Reverse(frameworkOf(scope));
    await expect(handMade.run()).rejects.toThrow(
      'Reverse.run: this Reverse was not built by a container prepared with registerCoordination()',
    );
    // A container without registerCoordination() gives no scope either.
    const bare = root.createChildContainer();
    bare.register(ZooKeeperFramework, { useValue: frameworkOf(scope) });
    await expect(bare.resolve(Reverse).run()).rejects.toThrow(NotCoordinatedError);
  });

  it('the registry is the container’s: registerCoordination takes any backend, and `registry` picks another token', async () => {
    const redis = new RedisMock({ port: 42_017 }) as unknown as Redis; // its own in-memory keyspace
    const REDIS_LOCKS = Symbol('test.RedisLocks');

    @injectable()
    @Coordinated()
    class TwoBackends {
      @WithLock('job')
      async onDefault(): Promise<[string, bigint | undefined]> {
        return [currentLock().key, currentLock().fencingToken];
      }
      @WithLock('job', { registry: REDIS_LOCKS })
      async onRedis(): Promise<bigint | undefined> {
        return currentLock().fencingToken;
      }
    }

    const scope = await open(backend.connectString, { coordination: { lockRegistry: () => new RedisLockRegistry({ client: redis }) } });
    expect(scope.resolve<LockRegistry>(LOCK_REGISTRY).backend).toBe('redis');
    expect(await scope.resolve(TwoBackends).onDefault()).toEqual(['job', undefined]);
    const zkScope = await open(backend.connectString);
    zkScope.register(REDIS_LOCKS, { useValue: new RedisLockRegistry({ client: redis }) });
    expect(zkScope.resolve<LockRegistry>(LOCK_REGISTRY)).toBeInstanceOf(ZooKeeperLockRegistry);
    const both = zkScope.resolve(TwoBackends);
    expect(typeof (await both.onDefault())[1]).toBe('bigint');
    expect(await both.onRedis()).toBeUndefined();
    redis.disconnect();
  });

  it("disposing the container closes its registry: a call waiting for the lock rejects with LockRegistryClosedError", async () => {
    const a = await ledgerScope();
    const b = await ledgerScope(new Occupancy(), a.lockRoot);
    const hold = gate();
    const entered = gate();
    const holding = a.ledger.holdUntil(hold.promise, () => entered.open());
    await entered.promise;
    const waiting = b.ledger.post(0).catch((e: unknown) => e);
    await childrenReach(a.ledger.zk, `${a.lockRoot}/mutex/ledger`, 2);
    await b.scope.dispose();
    expect(await waiting).toBeInstanceOf(LockRegistryClosedError);
    hold.open();
    await holding;
  });

  it('refuses bad declarations when the class is defined', () => {
    expect(() => WithLock('k', { kind: 'semaphore' })({}, 'm', { value: async () => undefined })).toThrow(/permits/);
    expect(() => WithLock('k', { permits: 2 })({}, 'm', { value: async () => undefined })).toThrow(/semaphores only/);
    expect(() => WithLock('k', { timeoutMs: -1 })({}, 'm', { value: async () => undefined })).toThrow(/timeoutMs/);
    expect(() => WithLock('k', { kind: 'exclusive' as never })({}, 'm', { value: async () => undefined })).toThrow(/unknown lock kind/);
    expect(() => WithLock('k')({}, 'm', {} as TypedPropertyDescriptor<() => Promise<void>>)).toThrow(/decorates methods/);
  });
});
