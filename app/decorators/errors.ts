// Typed errors of the method and class decorators: an instance that cannot reach its container,
// a leader-only method called on a follower, and currentLock() / currentLeadership() called
// outside a decorated method. Lock timeouts and losses keep the LockRegistry's own errors
// (LockTimeoutError, LockLostError); leadership losses the recipes' LeadershipLostError.
// Counterpart: none in Curator (Java users call the recipes by hand).

export class CoordinationError extends Error {
  override name = 'CoordinationError';
}

/**
 * A decorated method ran on an instance that was not built by a tsyringe container prepared with
 * registerCoordination(), or whose class lacks @Coordinated() (or @LeadershipHooks()).
 */
export class NotCoordinatedError extends CoordinationError {
  override name = 'NotCoordinatedError';
  constructor(
    /** 'Class.method' or 'Class'. */
    readonly member: string,
    detail: string,
  ) {
    super(`${member}: ${detail}`);
  }
}

/** A @LeaderOnly method (with the default `otherwise: 'throw'`) was called while this instance does not lead. */
export class NotLeaderError extends CoordinationError {
  override name = 'NotLeaderError';
  constructor(
    readonly member: string,
    /** The election's path. */
    readonly electionPath: string,
  ) {
    super(`${member} runs only on the leader of ${electionPath}, and this instance does not lead it now`);
  }
}

/** currentLock() outside a @WithLock method (or for a key no enclosing @WithLock holds). */
export class NoCurrentLockError extends CoordinationError {
  override name = 'NoCurrentLockError';
  constructor(readonly key: string | undefined) {
    super(key === undefined ? 'currentLock() was called outside a @WithLock method' : `no enclosing @WithLock method holds '${key}'`);
  }
}

/** currentLeadership() outside a @LeaderOnly method or a leadership hook. */
export class NoCurrentLeadershipError extends CoordinationError {
  override name = 'NoCurrentLeadershipError';
  constructor(readonly electionPath: string | undefined) {
    super(
      electionPath === undefined
        ? 'currentLeadership() was called outside a @LeaderOnly method or a leadership hook'
        : `no enclosing @LeaderOnly method or leadership hook leads ${electionPath}`,
    );
  }
}
