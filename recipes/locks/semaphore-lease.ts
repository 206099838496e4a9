// One lease of an InterProcessSemaphoreV2: its "_c_<uuid>-lease-<seq>" node under
// "<path>/leases", held until released (closing it deletes the node) or lost with the session.
// Counterpart: org.apache.curator.framework.recipes.locks.Lease (as InterProcessSemaphoreV2 makes it).

import type { Observable } from 'rxjs';
import type { ZooKeeperFramework } from '../../framework/index.js';
import type { LockLostError } from '../errors.js';
import type { HeldNode } from '../internal/index.js';
import type { LockLease } from './lock.js';

export class SemaphoreLease implements LockLease {
  constructor(
    private readonly framework: ZooKeeperFramework,
    /** The semaphore's path. */
    readonly lockPath: string,
    private readonly node: HeldNode<LockLostError>,
  ) {}

  get nodePath(): string {
    return this.node.path;
  }

  /** The lease node's name, e.g. "_c_<uuid>-lease-0000000003" (Curator's Lease.getNodeName). */
  get nodeName(): string {
    return this.node.name;
  }

  /** The lease node's czxid (unique; later leases get larger ones). */
  get fencingToken(): bigint {
    return this.node.czxid;
  }

  get isHeld(): boolean {
    return this.node.isHeld;
  }

  get isLost(): boolean {
    return this.node.isLost;
  }

  get lost$(): Observable<LockLostError> {
    return this.node.lost$;
  }

  get lostSignal(): AbortSignal {
    return this.node.lostSignal;
  }

  /** The lease node's data. */
  async getData(): Promise<Buffer | null> {
    return (await this.framework.getData(this.node.path)).data;
  }

  /** Returns the lease (deletes its node, guaranteed). Idempotent. */
  release(): Promise<void> {
    return this.node.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  toString(): string {
    return `SemaphoreLease(${this.nodePath}, token ${this.fencingToken}${this.isLost ? ', lost' : this.isHeld ? '' : ', released'})`;
  }
}
