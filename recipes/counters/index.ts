// zabkit/recipes counters: SharedValue / SharedCount (a value every process follows, with
// compare-and-set on the node version) and DistributedAtomicValue / DistributedAtomicLong /
// DistributedAtomicInteger (optimistic compare-and-set rounds, optionally promoted to a mutex),
// in Curator's byte formats. Counterpart: Curator's framework.recipes.shared and .atomic packages.
export { type VersionedValue } from './versioned-value.js';
export { SharedValue, type SharedValueOptions } from './shared-value.js';
export { SharedCount, countToBytes, bytesToCount } from './shared-count.js';
export { type AtomicValue, type AtomicStats, type PromotedToLock } from './atomic-value.js';
export { DistributedAtomicValue, type MakeValue } from './distributed-atomic-value.js';
export { DistributedAtomicLong, DistributedAtomicInteger, longToBytes, integerToBytes } from './distributed-atomic-number.js';
export { CorruptedValueError, IllegalTrySetVersionError, WriteOutcomeUnknownError } from '../errors.js';
