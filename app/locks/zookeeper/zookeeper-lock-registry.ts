// The ZooKeeper LockRegistry (the default of the app layer): every lock kind on zabkit's
// recipes, with Curator's node layouts so Java services using Curator share the same locks.
// mutex → InterProcessMutex at <root>/mutex/<key>; read / write → InterProcessReadWriteLock at
// <root>/rw/<key>; semaphore → InterProcessSemaphoreV2 at <root>/semaphore/<key>. Each kind has
// its own subtree, so a key names one lock per kind (as the Redis backend's keys do). Fencing
// tokens are the lock nodes' czxids; losses follow the framework's connection states and error
// policy. Counterpart: Spring Integration's ZookeeperLockRegistry (mutex only).

import type { ZooKeeperFramework } from '../../../framework/index.js';
import { pathProblem } from '../../../protocol/paths.js';
import { InterProcessMutex, InterProcessReadWriteLock, InterProcessSemaphoreV2 } from '../../../recipes/locks/index.js';
import { LockRegistryClosedError, UnsupportedLockKindError } from '../errors.js';
import type { DistributedLock, LockKind, LockRegistry, ObtainOptions } from '../lock-registry.js';
import { ZooKeeperContender } from './zookeeper-contender.js';
import type { ZooKeeperHeldLock } from './zookeeper-held-lock.js';

export interface ZooKeeperLockRegistryOptions {
  /** The znode under which all locks live (in the framework's namespace, if it has one). Default '/locks'. */
  readonly root?: string;
}

export const ZOOKEEPER_LOCK_DEFAULTS = { root: '/locks' } as const;

/** The subtree of each kind under the root. */
const KIND_DIRS: Record<LockKind, string> = { mutex: 'mutex', read: 'rw', write: 'rw', semaphore: 'semaphore' };

export class ZooKeeperLockRegistry implements LockRegistry {
  readonly backend = 'zookeeper';
  readonly kinds: ReadonlySet<LockKind> = new Set<LockKind>(['mutex', 'read', 'write', 'semaphore']);
  readonly root: string;
  private readonly closing = new AbortController();
  private readonly held = new Set<ZooKeeperHeldLock>();

  /** `framework` is used, never closed, by the registry. */
  constructor(
    readonly framework: ZooKeeperFramework,
    options: ZooKeeperLockRegistryOptions = {},
  ) {
    const root = options.root ?? ZOOKEEPER_LOCK_DEFAULTS.root;
    const problem = pathProblem(root);
    if (problem !== undefined) throw new TypeError(`the lock root must be a valid ZooKeeper path: "${root}": ${problem}`);
    this.root = root === '/' ? '' : root;
  }

  /**
   * The znode of lock `key` of `kind` (the recipe's path). A key may contain '/' to nest locks;
   * each segment must be a valid znode name.
   */
  lockPath(key: string, kind: LockKind = 'mutex'): string {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('a lock key must be a non-empty string');
    const dir = KIND_DIRS[kind];
    if (dir === undefined) throw new TypeError(`unknown lock kind ${String(kind)}`);
    const path = `${this.root}/${dir}/${key}`;
    const problem = pathProblem(path);
    if (problem !== undefined) throw new TypeError(`lock key '${key}' does not make a valid ZooKeeper path (${path}): ${problem}`);
    return path;
  }

  obtain(key: string, options: ObtainOptions = {}): DistributedLock {
    const kind = options.kind ?? 'mutex';
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('a lock key must be a non-empty string');
    if (!this.kinds.has(kind)) throw new UnsupportedLockKindError(key, kind, this.backend);
    if (this.closing.signal.aborted) throw new LockRegistryClosedError(key, this.backend);
    const path = this.lockPath(key, kind);
    const context = {
      closing: this.closing.signal,
      onHeld: (held: ZooKeeperHeldLock) => this.held.add(held),
      onEnd: (held: ZooKeeperHeldLock) => this.held.delete(held),
    };
    switch (kind) {
      case 'mutex': {
        const mutex = new InterProcessMutex(this.framework, path);
        return new ZooKeeperContender(key, kind, path, (o) => mutex.acquire(o), context);
      }
      case 'read':
      case 'write': {
        const rw = new InterProcessReadWriteLock(this.framework, path);
        const side = kind === 'read' ? rw.readLock : rw.writeLock;
        return new ZooKeeperContender(key, kind, path, (o) => side.acquire(o), context);
      }
      case 'semaphore': {
        const permits = options.permits;
        if (permits === undefined || !Number.isSafeInteger(permits) || permits <= 0) {
          throw new RangeError(`a semaphore needs permits, a positive integer (got ${String(permits)} for '${key}')`);
        }
        const semaphore = new InterProcessSemaphoreV2(this.framework, path, permits);
        return new ZooKeeperContender(key, kind, path, (o) => semaphore.acquire(o), context);
      }
    }
  }

  async close(): Promise<void> {
    this.closing.abort(new Error('the zookeeper lock registry is closed'));
    await Promise.allSettled([...this.held].map((held) => held.release()));
  }
}
