// One node a contender won and holds: where it is, who owns it, its fencing token, and the loss
// tracking that runs while it is held. Releasing stops the tracking, removes the revocation watch
// and deletes the node as a guaranteed delete (if the server cannot be reached, the framework
// keeps retrying it in the background, across reconnects and new sessions).
// Counterpart: the lock path Curator's InterProcessMutex keeps per thread, LockInternals.releaseLock.

import { type Observable } from 'rxjs';
import { policyAllowsRetryOn, type Stat, type ZooKeeperFramework } from '../../framework/index.js';
import type { LostReason } from '../errors.js';
import { LostTracker } from './lost-tracker.js';
import type { RevocationWatch } from './revocation.js';
import { sequenceOf } from './sorting.js';
import { childName } from './paths.js';

export interface HeldNodeInit<E extends Error> {
  readonly framework: ZooKeeperFramework;
  /** The node's path (namespace-free). */
  readonly path: string;
  /** The node's czxid: the fencing token. */
  readonly czxid: bigint;
  /** The session that owns the (ephemeral) node. */
  readonly sessionId: bigint;
  readonly makeLostError: (reason: LostReason) => E;
  readonly revocation?: RevocationWatch;
}

export class HeldNode<E extends Error = Error> {
  readonly framework: ZooKeeperFramework;
  /** The node's full path (namespace-free). */
  readonly path: string;
  /** The node's name (the last path component). */
  readonly name: string;
  /** The server's sequence suffix of the name (undefined for a non-sequential name). */
  readonly sequence: number | undefined;
  /**
   * The fencing token: the zxid of the transaction that created the node. zxids only grow over the
   * ensemble's whole history and locks are granted in node order, so each later holder of an
   * exclusive lock has a larger token — also after the lock's container parent was reaped and
   * the sequence numbers started again at 0.
   */
  readonly czxid: bigint;
  readonly sessionId: bigint;
  private readonly tracker: LostTracker<E>;
  private readonly revocation: RevocationWatch | undefined;
  private releasing: Promise<void> | undefined;

  constructor(init: HeldNodeInit<E>) {
    this.framework = init.framework;
    this.path = init.path;
    this.name = childName(init.path);
    this.sequence = sequenceOf(this.name);
    this.czxid = init.czxid;
    this.sessionId = init.sessionId;
    this.revocation = init.revocation;
    this.tracker = new LostTracker(init.framework, init.sessionId, init.makeLostError);
  }

  get fencingToken(): bigint {
    return this.czxid;
  }

  /** One loss error then complete; complete without a value after release. */
  get lost$(): Observable<E> {
    return this.tracker.lost$;
  }

  /** Aborted with the loss error when the node stops counting as held. */
  get lostSignal(): AbortSignal {
    return this.tracker.signal;
  }

  get isLost(): boolean {
    return this.tracker.isLost;
  }

  get lostError(): E | undefined {
    return this.tracker.error;
  }

  get isReleased(): boolean {
    return this.releasing !== undefined;
  }

  /** Neither released nor lost. */
  get isHeld(): boolean {
    return !this.isReleased && !this.isLost;
  }

  /** Whether a revocation watch runs on the node (its lock was made revocable). */
  get isRevocable(): boolean {
    return this.revocation !== undefined;
  }

  /**
   * Calls `listener` (asynchronously) whenever "__REVOKE__" is written to the node — also for a
   * request that came while the contender was still waiting. No-op when the node is not revocable.
   */
  onRevocationRequested(listener: () => void): void {
    this.revocation?.deliverTo(listener);
  }

  /** Reports a loss found by the recipe itself. */
  markLost(reason: LostReason): void {
    this.tracker.markLost(reason);
  }

  /**
   * Deletes the node (idempotent: later calls return the first one's promise). Resolves once it
   * is deleted, already gone, or handed to the framework's guaranteed deletes because the server
   * could not be reached; rejects only for other errors (e.g. NoAuth).
   */
  release(): Promise<void> {
    return (this.releasing ??= this.doRelease());
  }

  private async doRelease(): Promise<void> {
    this.tracker.stop();
    this.revocation?.stop();
    await deleteOwnNode(this.framework, this.path);
  }
}

/**
 * Reads a contender's node on the session the read ran on: its Stat and that session's id, or
 * undefined when the node is gone or belongs to another session (one the framework gave up:
 * such a node disappears when the server expires that session).
 */
export async function readOwnNode(framework: ZooKeeperFramework, path: string): Promise<{ stat: Stat; sessionId: bigint } | undefined> {
  const serverPath = framework.fixForNamespace(path);
  const { stat, sessionId } = await framework.withRetry(async (client) => ({ stat: await client.exists(serverPath), sessionId: client.sessionId }));
  if (stat === null || stat.ephemeralOwner !== sessionId) return undefined;
  return { stat, sessionId };
}

/**
 * Deletes a contender's own node: quietly (gone is fine) and guaranteed (a delete that fails for
 * connection reasons goes on in the background). Rejects only for errors that are not about the
 * connection; resolves when the framework is closed (the session, and so the node, is gone).
 */
export async function deleteOwnNode(framework: ZooKeeperFramework, path: string): Promise<void> {
  if (framework.lifecycle !== 'started') return;
  try {
    await framework.delete(path, { guaranteed: true, quietly: true });
  } catch (e) {
    if (framework.lifecycle !== 'started') return;
    if (policyAllowsRetryOn(framework.retryPolicy, e)) return; // being retried in the background
    throw e;
  }
}

/**
 * Deletes the node of a contender that gave up — or, for a create still in flight, the node that
 * create makes once it lands. Awaited while connected, so the caller settles after the node is
 * gone; otherwise the delete goes on without the caller as a guaranteed delete, listed in the
 * framework's pendingGuaranteedDeletes from its first attempt until done. (A create still in
 * flight while disconnected is only listed once it lands; if it fails instead, the framework's
 * protected-create cleanup looks for the node.) Never rejects.
 */
export async function abandonOwnNode(framework: ZooKeeperFramework, node: string | Promise<string>): Promise<void> {
  const deleting = typeof node === 'string' ? deleteOwnNode(framework, node) : node.then((path) => deleteOwnNode(framework, path));
  const quiet = deleting.catch(() => undefined);
  if (framework.isConnected) await quiet;
}
