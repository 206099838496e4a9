// zabkit/recipes barriers: DistributedBarrier (wait until a node is gone) and
// DistributedDoubleBarrier (enter together, leave together), with Curator's layouts.
// Counterpart: Curator's framework.recipes.barriers package.
export { DistributedBarrier } from './distributed-barrier.js';
export { DistributedDoubleBarrier, READY_NODE, type DistributedDoubleBarrierOptions } from './distributed-double-barrier.js';
export { type WaitOptions } from './watch-wait.js';
export { BarrierTimeoutError, BarrierMembershipLostError } from '../errors.js';
