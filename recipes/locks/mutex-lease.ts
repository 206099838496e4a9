// A re-entrant hold of one InterProcessMutex node and the leases handed out on it: the first
// acquire creates the hold, each re-entrant acquire by the same owner adds a lease on the same
// node, and the node is deleted when the last lease is released. Every lease of a hold shares its
// node, fencing token and loss signals. Counterpart: InterProcessMutex.LockData (lock path and
// lock count per owning thread).

import type { Observable } from 'rxjs';
import type { HeldNode } from '../internal/index.js';
import { LeaseReleasedError, type LockLostError } from '../errors.js';
import type { LockLease } from './lock.js';
import { runAsOwner, type OwnerMark } from './owner-context.js';

export class MutexHold implements OwnerMark {
  private count = 0;
  private releasing: Promise<void> | undefined;

  constructor(
    /** The lock object owning scopes are keyed by. */
    readonly lock: object,
    readonly lockPath: string,
    readonly node: HeldNode<LockLostError>,
    private readonly onReleased: (hold: MutexHold) => void,
  ) {}

  /** Leases not yet released. */
  get leaseCount(): number {
    return this.count;
  }

  /** Some lease is unreleased. */
  get active(): boolean {
    return this.count > 0;
  }

  /** A new lease on this hold (the first one, or a re-entry). */
  newLease(): MutexLease {
    this.count++;
    return new MutexLease(this);
  }

  /** One lease gave the lock back; the last one deletes the node. */
  leaseReleased(): Promise<void> {
    this.count--;
    if (this.count > 0) return Promise.resolve();
    this.releasing ??= this.node.release().finally(() => this.onReleased(this));
    return this.releasing;
  }
}

export class MutexLease implements LockLease {
  private released: Promise<void> | undefined;

  constructor(private readonly hold: MutexHold) {}

  get lockPath(): string {
    return this.hold.lockPath;
  }

  get nodePath(): string {
    return this.hold.node.path;
  }

  /** The node's czxid (see LockLease.fencingToken). Re-entrant leases share it. */
  get fencingToken(): bigint {
    return this.hold.node.czxid;
  }

  /** The node's sequence number (informative: it restarts at 0 when the lock's parent is reaped). */
  get sequence(): number | undefined {
    return this.hold.node.sequence;
  }

  get isHeld(): boolean {
    return this.released === undefined && this.hold.node.isHeld;
  }

  get isLost(): boolean {
    return this.hold.node.isLost;
  }

  get lost$(): Observable<LockLostError> {
    return this.hold.node.lost$;
  }

  get lostSignal(): AbortSignal {
    return this.hold.node.lostSignal;
  }

  /** How many unreleased leases (this one included, if unreleased) share the node. */
  get holdCount(): number {
    return this.hold.leaseCount;
  }

  /** Releases this lease; the node goes with the hold's last lease. Idempotent. */
  release(): Promise<void> {
    return (this.released ??= this.hold.leaseReleased());
  }

  /**
   * Runs `fn` as the owner of this lock: inside, acquiring the same lock re-enters it (and a write
   * lease lets fn take the read lock). Throws LeaseReleasedError after release.
   */
  run<T>(fn: () => T): T {
    if (this.released !== undefined) throw new LeaseReleasedError(this.lockPath);
    return runAsOwner(this.hold.lock, this.hold, fn);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  toString(): string {
    return `MutexLease(${this.nodePath}, token ${this.fencingToken}${this.isLost ? ', lost' : this.isHeld ? '' : ', released'})`;
  }
}
