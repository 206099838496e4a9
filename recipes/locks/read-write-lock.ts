// InterProcessReadWriteLock: readers share, writers exclude, in node order. Both sides are
// re-entrant mutexes on the same path, with Curator's node names "_c_<uuid>-__READ__<seq>" and
// "_c_<uuid>-__WRIT__<seq>" (equal length, so both sort by their sequence). A writer waits for
// the node just before it, whatever its kind; a reader waits only for the first writer before it.
// A write-lock owner may take the read lock (downgrade): it is granted at once, and its read node
// takes the write node's sequence (CURATOR-621, Curator 5.5+) so a writer queued behind still
// waits for the downgraded reader after the write lock is released. A read-lock owner asking
// for the write lock would wait for itself: that is refused with LockUpgradeError.
// Counterpart: org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock.

import type { Data, ZooKeeperFramework } from '../../framework/index.js';
import { LockUpgradeError } from '../errors.js';
import {
  StandardLockInternalsDriver, childName, getSortedChildren, makePath, standardFixForSorting, validateOurIndex,
  type PredicateResults,
} from '../internal/index.js';
import { InterProcessMutex } from './interprocess-mutex.js';

/** Both names have the same length: the sort key (the sequence) starts at the same offset. */
export const READ_LOCK_NAME = '__READ__';
export const WRITE_LOCK_NAME = '__WRIT__';

export interface InterProcessReadWriteLockOptions {
  /** Data of both sides' nodes. Default: the framework's default data. */
  readonly nodeData?: Data;
}

/** Sorts read and write nodes together by their sequence. */
class SortingLockInternalsDriver extends StandardLockInternalsDriver {
  override fixForSorting(name: string): string {
    return standardFixForSorting(standardFixForSorting(name, READ_LOCK_NAME), WRITE_LOCK_NAME);
  }
}

/** The write side: a mutex among writers and readers alike. */
export class WriteLock extends InterProcessMutex {
  private readLock: ReadLock | undefined;

  constructor(framework: ZooKeeperFramework, path: string, options: InterProcessReadWriteLockOptions = {}) {
    super(framework, path, { ...options, lockName: WRITE_LOCK_NAME, maxLeases: 1, driver: new SortingLockInternalsDriver() });
  }

  /** The write nodes in lock order. */
  override async participantNodes(): Promise<string[]> {
    return (await super.participantNodes()).filter((p) => childName(p).includes(WRITE_LOCK_NAME));
  }

  /** The write node held by the current context, if any. */
  lockPathInContext(): string | undefined {
    return this.ownedNodePath();
  }

  /** @internal Ties the read side of the same lock, for the upgrade check. */
  pairWith(readLock: ReadLock): void {
    this.readLock = readLock;
  }

  protected override beforeAttempt(): void {
    if (this.readLock?.isOwnedByCurrentContext()) throw new LockUpgradeError(this.path);
  }
}

/** The read side: granted while no write node precedes it (or when the same context owns the write lock). */
export class ReadLock extends InterProcessMutex {
  constructor(framework: ZooKeeperFramework, path: string, writeLock: WriteLock, options: InterProcessReadWriteLockOptions = {}) {
    super(framework, path, { ...options, lockName: READ_LOCK_NAME, maxLeases: Infinity, driver: new ReadLockDriver(writeLock) });
  }

  /** The read nodes in lock order. */
  override async participantNodes(): Promise<string[]> {
    return (await super.participantNodes()).filter((p) => childName(p).includes(READ_LOCK_NAME));
  }
}

class ReadLockDriver extends SortingLockInternalsDriver {
  constructor(private readonly writeLock: WriteLock) {
    super();
  }

  /** A downgrading reader's node takes the sequence of the write node its context holds. */
  protected override sortingSequence(): string | undefined {
    const writePath = this.writeLock.lockPathInContext();
    return writePath === undefined ? undefined : standardFixForSorting(childName(writePath), WRITE_LOCK_NAME);
  }

  override getsTheLock(children: readonly string[], sequenceNodeName: string): PredicateResults {
    if (this.writeLock.isOwnedByCurrentContext()) return { getsTheLock: true };
    let firstWriteIndex = Infinity;
    let ourIndex = -1;
    for (const [index, node] of children.entries()) {
      if (node.includes(WRITE_LOCK_NAME)) {
        firstWriteIndex = Math.min(index, firstWriteIndex);
      } else if (node === sequenceNodeName) {
        ourIndex = index;
        break;
      }
    }
    validateOurIndex(sequenceNodeName, ourIndex);
    if (ourIndex < firstWriteIndex) return { getsTheLock: true };
    return { getsTheLock: false, pathToWatch: children[firstWriteIndex]! };
  }
}

export class InterProcessReadWriteLock {
  readonly readLock: ReadLock;
  readonly writeLock: WriteLock;

  constructor(
    readonly framework: ZooKeeperFramework,
    readonly path: string,
    options: InterProcessReadWriteLockOptions = {},
  ) {
    this.writeLock = new WriteLock(framework, path, options);
    this.readLock = new ReadLock(framework, path, this.writeLock, options);
    this.writeLock.pairWith(this.readLock);
  }

  /** Participant nodes of both kinds in lock order. */
  async participantNodes(): Promise<string[]> {
    const names = await getSortedChildren(this.framework, this.writeLock.path, WRITE_LOCK_NAME, new SortingLockInternalsDriver());
    return names.map((name) => makePath(this.writeLock.path, name));
  }

  toString(): string {
    return `InterProcessReadWriteLock(${this.path})`;
  }
}
