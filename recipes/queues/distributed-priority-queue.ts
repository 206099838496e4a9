// DistributedPriorityQueue: a DistributedQueue whose items carry a priority (lower first; FIFO
// among equals), written into the node name ("queue-" + Curator's priority text + sequence) so
// Curator's priority queue reads the same order. Whenever the children change the consumer
// re-sorts, after at least `minItemsBeforeRefresh` items. Every put or take changes the children
// and makes every consumer re-read them all: slower than the plain queue.
// Counterpart: org.apache.curator.framework.recipes.queue.DistributedPriorityQueue.

import type { ZooKeeperFramework } from '../../framework/index.js';
import { QueueCore, type PutOptions } from './queue-core.js';
import { coreOptions, type QueueOptions } from './queue-options.js';
import { priorityToString, priorityVariant, QUEUE_ITEM_NAME } from './queue-variant.js';

export interface PriorityQueueOptions<T> extends QueueOptions<T> {
  /** Items processed before a change of the children makes the consumer re-sort. Default 0 (re-sort at once). */
  readonly minItemsBeforeRefresh?: number;
}

export class DistributedPriorityQueue<T> {
  private readonly core: QueueCore<T>;

  constructor(framework: ZooKeeperFramework, queuePath: string, options: PriorityQueueOptions<T>) {
    const min = options.minItemsBeforeRefresh ?? 0;
    if (!(Number.isInteger(min) && min >= 0)) throw new RangeError(`minItemsBeforeRefresh must be an integer >= 0, got ${min}`);
    this.core = new QueueCore(framework, queuePath, coreOptions(queuePath, options), priorityVariant(min));
  }

  get path(): string {
    return this.core.queuePath;
  }

  start(): Promise<void> {
    return this.core.start();
  }

  close(): Promise<void> {
    return this.core.close();
  }

  /** Adds an item with `priority` (a 32-bit signed integer; lower numbers come out first). */
  put(item: T, priority: number, options?: PutOptions): Promise<boolean> {
    return this.core.put(QUEUE_ITEM_NAME + priorityToString(priority), [item], options);
  }

  putMulti(items: readonly T[], priority: number, options?: PutOptions): Promise<boolean> {
    return this.core.put(QUEUE_ITEM_NAME + priorityToString(priority), items, options);
  }

  flushPuts(timeoutMs: number): Promise<boolean> {
    return this.core.flushPuts(timeoutMs);
  }

  get lastMessageCount(): number {
    return this.core.lastMessageCount;
  }

  itemNodes(): Promise<string[]> {
    return this.core.itemNodes();
  }
}
