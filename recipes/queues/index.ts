// zabkit/recipes queues: SimpleDistributedQueue (ZooKeeper's classic "qn-" queue) and Curator's
// DistributedQueue family — priority, delay and id variants — with at-most-once, lock-safe
// (at-least-once) and transactional (exactly-once effects) consumption, and the length limit the
// 1 MiB listing imposes. Counterpart: Curator's framework.recipes.queue package.
export { SimpleDistributedQueue, SIMPLE_QUEUE_PREFIX } from './simple-distributed-queue.js';
export { DistributedQueue } from './distributed-queue.js';
export { DistributedPriorityQueue, type PriorityQueueOptions } from './distributed-priority-queue.js';
export { DistributedDelayQueue, type DelayQueueOptions } from './distributed-delay-queue.js';
export { DistributedIdQueue } from './distributed-id-queue.js';
export { type QueueOptions } from './queue-options.js';
export { type PutOptions } from './queue-core.js';
export {
  type QueueConsumer, type TransactionalQueueConsumer, type QueueConsumerContext, type ErrorMode,
} from './item-processor.js';
export { type QueueSerializer, bytesSerializer, stringSerializer, jsonSerializer } from './queue-serializer.js';
export { serializeItems, deserializeItems } from './item-serializer.js';
export { QUEUE_ITEM_NAME, priorityToString, epochToString } from './queue-variant.js';
export {
  maxQueueLength, DEFAULT_MAX_BUFFER_BYTES, QUEUE_NAME_LENGTH, SIMPLE_QUEUE_NAME_LENGTH, PRIORITY_QUEUE_NAME_LENGTH,
  DELAY_QUEUE_NAME_LENGTH,
} from './limits.js';
export { QueueEmptyError } from '../errors.js';
