// zabkit/recipes leader election: LeaderLatch (hold leadership until closed) and LeaderSelector
// (leadership as a task), both laid out as Curator's, each term with a fencing token and a loss
// signal. Counterpart: Curator's framework.recipes.leader package.
export {
  LeaderLatch, LeaderLatchCloseMode, LATCH_LOCK_NAME,
  type LeaderLatchOptions, type LeaderLatchState, type LeadershipEvent, type AwaitLeadershipOptions,
} from './leader-latch.js';
export { LeaderSelector, SELECTOR_LOCK_NAME, type LeaderSelectorOptions, type LeaderSelectorState, type TakeLeadership } from './leader-selector.js';
export { Leadership } from './leadership.js';
export { type Participant, NO_LEADER } from './participants.js';
export { LeadershipLostError, RecipeClosedError, type LeadershipLostReason } from '../errors.js';
