// recipes/internal: the contender algorithm the locks and leader elections share (Curator's
// LockInternals and its drivers), the loss tracking of a held node, cooperative revocation, and
// the small waiting primitives. Exported through zabkit/recipes for recipes built outside too.
export { LockInternals, getSortedChildren, type LockInternalsOptions, type AttemptLockOptions } from './lock-internals.js';
export { StandardLockInternalsDriver, validateOurIndex, type LockInternalsDriver, type PredicateResults } from './driver.js';
export { standardFixForSorting, sortChildren, sequenceOf, type LockInternalsSorter } from './sorting.js';
export { HeldNode, abandonOwnNode, deleteOwnNode, readOwnNode, type HeldNodeInit } from './held-node.js';
export { LostTracker } from './lost-tracker.js';
export { REVOKE_MESSAGE, attemptRevoke, RevocationWatch } from './revocation.js';
export { AttemptStop, type StopOptions } from './attempt-stop.js';
export { Wakeup } from './wakeup.js';
export { childName, makePath, validatePath } from './paths.js';
