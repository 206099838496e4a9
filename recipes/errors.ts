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
