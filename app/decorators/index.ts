// The app layer's decorators: @Coordinated, @WithLock (currentLock), @LeaderOnly and
// @LeadershipHooks (currentLeadership), and their errors.
export { Coordinated } from './coordinated.js';
export { WithLock, type WithLockOptions, type LockKey } from './with-lock.js';
export { currentLock, type LockContext } from './lock-context.js';
export { LeaderOnly, type LeaderOnlyOptions } from './leader-only.js';
export { LeadershipHooks, type LeadershipHooksOptions } from './leadership-hooks.js';
export { type LeadershipHooksTarget, DEFAULT_PARTICIPANT_ID } from './election-seat.js';
export { currentLeadership, type LeadershipContext } from './leadership-context.js';
export { CoordinationError, NotCoordinatedError, NotLeaderError, NoCurrentLockError, NoCurrentLeadershipError } from './errors.js';
