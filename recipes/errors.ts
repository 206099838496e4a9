// The recipes' own typed errors (client-local conditions, not ZooKeeper codes): a lock that could
// not be acquired in time, a lock (or any held recipe node) lost while held, misuse of a lock's
// ownership rules. ZooKeeper failures pass through as protocol's KeeperErrors; a closed framework
// as the framework's ClientClosedError. Shared by every recipe: add, never change.
// Counterparts: Curator's acquire(time) returning false, IllegalMonitorStateException, and the
// "check your connection state" advice of its lock recipes.

/** The base of every recipe error: `path` is the recipe's path (as the application gave it). */
export class RecipeError extends Error {
  override name = 'RecipeError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** acquire({ timeoutMs }) gave up: the lock (or lease) stayed taken for the whole wait. Its node is deleted. */
export class LockTimeoutError extends RecipeError {
  override name = 'LockTimeoutError';
  constructor(
    path: string,
    readonly timeoutMs: number,
  ) {
    super(path, `could not acquire the lock at ${path} within ${timeoutMs} ms`);
  }
}

/**
 * Why a held node stopped counting as held.
 * - `connection-suspended`: the connection was lost (SUSPENDED) and the framework's error policy
 *   (the standard one) says that counts; the node may still exist — release() removes it.
 * - `session-lost`: the session is gone (LOST: expired, or given up by simulated expiry) or was
 *   replaced; the server deletes (or has deleted) the node.
 * - `framework-closed`: the framework was closed, which closes the session.
 */
export type LostReason = 'connection-suspended' | 'session-lost' | 'framework-closed';

const LOST_MESSAGES: Record<LostReason, string> = {
  'connection-suspended': 'the connection to ZooKeeper was suspended',
  'session-lost': 'the ZooKeeper session was lost',
  'framework-closed': 'the framework was closed',
};

/** A held lock was lost: emitted on lost$, the reason of lostSignal, and thrown by a re-entrant acquire of a lost hold. */
export class LockLostError extends RecipeError {
  override name = 'LockLostError';
  constructor(
    path: string,
    readonly reason: LostReason,
    /** The lock node that was held. */
    readonly nodePath: string,
  ) {
    super(path, `the lock at ${path} (node ${nodePath}) was lost: ${LOST_MESSAGES[reason]}`);
  }
}

/** A context holding a read lock asked for the write lock of the same InterProcessReadWriteLock: that would wait for itself forever. */
export class LockUpgradeError extends RecipeError {
  override name = 'LockUpgradeError';
  constructor(path: string) {
    super(path, `the read lock at ${path} cannot be upgraded: release it before acquiring the write lock (a write holder may take the read lock)`);
  }
}

/** A non-re-entrant lock was asked for again by the context that holds it: that would wait for itself forever. */
export class LockNotReentrantError extends RecipeError {
  override name = 'LockNotReentrantError';
  constructor(path: string) {
    super(path, `the lock at ${path} is not re-entrant and this context already holds it`);
  }
}

/** A lease was used (run) after it was released. */
export class LeaseReleasedError extends RecipeError {
  override name = 'LeaseReleasedError';
  constructor(path: string) {
    super(path, `the lease on ${path} has been released`);
  }
}

/** A barrier wait (DistributedBarrier.waitOnBarrier, DistributedDoubleBarrier.enter / leave) gave up after `timeoutMs`. */
export class BarrierTimeoutError extends RecipeError {
  override name = 'BarrierTimeoutError';
  constructor(
    path: string,
    readonly timeoutMs: number,
    /** What was being waited for: "removal", "enter" or "leave". */
    readonly waitingFor: 'removal' | 'enter' | 'leave',
  ) {
    super(path, `the barrier at ${path} did not ${waitingFor === 'removal' ? 'go away' : `let this member ${waitingFor}`} within ${timeoutMs} ms`);
  }
}

/**
 * A double-barrier member's node vanished while it was entering: its session was lost (or someone
 * deleted the node), so the others no longer count it. The member has not entered.
 */
export class BarrierMembershipLostError extends RecipeError {
  override name = 'BarrierMembershipLostError';
  constructor(
    path: string,
    /** The member node that vanished. */
    readonly memberPath: string,
  ) {
    super(path, `the member node ${memberPath} of the barrier at ${path} vanished (session lost?) before the barrier opened`);
  }
}

/** element() / remove() on an empty queue (Java's NoSuchElementException). */
export class QueueEmptyError extends RecipeError {
  override name = 'QueueEmptyError';
  constructor(path: string) {
    super(path, `the queue at ${path} is empty`);
  }
}

/** A counter or shared value node holds bytes that are not a value of its type (e.g. not 8 bytes for a long). */
export class CorruptedValueError extends RecipeError {
  override name = 'CorruptedValueError';
  constructor(
    path: string,
    readonly bytes: Buffer,
  ) {
    super(path, `corrupted data for node "${path}": [${[...bytes].map((b) => `0x${b.toString(16)}`).join(', ')}]`);
  }
}

/** trySetValue / trySetCount with a VersionedValue whose version is -1 (not read from the node, or overflowed). */
export class IllegalTrySetVersionError extends RecipeError {
  override name = 'IllegalTrySetVersionError';
  constructor(path: string) {
    super(path, `cannot try-set ${path} against version -1 (a value not read from the node, or a version that overflowed)`);
  }
}

/**
 * Why a leadership ended without being given up: a LostReason (connection suspended per the error
 * policy, session lost, framework closed), or `node-deleted` — the leader's own node was deleted
 * by someone else while its session lived, so the next contender may already lead.
 */
export type LeadershipLostReason = LostReason | 'node-deleted';

const LEADERSHIP_LOST_MESSAGES: Record<LeadershipLostReason, string> = {
  'connection-suspended': 'the connection to ZooKeeper was suspended',
  'session-lost': 'the ZooKeeper session was lost',
  'framework-closed': 'the framework was closed',
  'node-deleted': 'its node was deleted by someone else',
};

/** A leadership (LeaderLatch, LeaderSelector) was lost while held: emitted on lost$ and the reason of lostSignal. */
export class LeadershipLostError extends RecipeError {
  override name = 'LeadershipLostError';
  constructor(
    path: string,
    readonly reason: LeadershipLostReason,
    /** The node that made this participant the leader. */
    readonly nodePath: string,
  ) {
    super(path, `the leadership at ${path} (node ${nodePath}) was lost: ${LEADERSHIP_LOST_MESSAGES[reason]}`);
  }
}

/** The recipe was closed: the reason of signals it aborts on close (e.g. the one LeaderSelector hands to takeLeadership). */
export class RecipeClosedError extends RecipeError {
  override name = 'RecipeClosedError';
  constructor(
    path: string,
    /** The recipe's name, e.g. "LeaderSelector". */
    readonly recipe: string,
  ) {
    super(path, `the ${recipe} at ${path} was closed`);
  }
}

/**
 * A version-checked write (a counter's compare-and-set) lost its reply with the connection, and
 * the node as found afterwards does not tell whether this write was applied (it holds our bytes,
 * which another client may have written too, or it was written again since). Nothing is retried
 * (a retry could apply it twice); the caller decides (e.g. re-read and reconcile).
 */
export class WriteOutcomeUnknownError extends RecipeError {
  override name = 'WriteOutcomeUnknownError';
  constructor(
    path: string,
    /** The version the write was made against (-1: a create). */
    readonly expectedVersion: number,
    /** The version found on the check. */
    readonly foundVersion: number,
  ) {
    super(
      path,
      `a write to ${path} against ${expectedVersion === -1 ? 'a missing node' : `version ${expectedVersion}`} lost its reply, and the node is at version ${foundVersion} now: whether it was applied is unknown`,
    );
  }
}
