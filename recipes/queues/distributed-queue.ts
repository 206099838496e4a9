// DistributedQueue: Curator's distributed queue. Producers put items (one PERSISTENT_SEQUENTIAL
// "queue-<seq>" node each, Curator's item bytes); a queue started with a consumer takes them in
// FIFO order. Delivery: at most once by default, at least once with a lockPath, exactly once for
// a transactionalConsumer's effects (see item-processor.ts and docs/recipes/queues.md). Ordering
// is FIFO per consumer; with several consumers items are handed out in order but may finish out
// of order. Counterpart: org.apache.curator.framework.recipes.queue.DistributedQueue (QueueBuilder.buildQueue).

import type { ZooKeeperFramework } from '../../framework/index.js';
import { QueueCore, type PutOptions } from './queue-core.js';
import { coreOptions, type QueueOptions } from './queue-options.js';
import { QUEUE_ITEM_NAME, STANDARD_VARIANT } from './queue-variant.js';

export class DistributedQueue<T> {
  private readonly core: QueueCore<T>;

  constructor(framework: ZooKeeperFramework, queuePath: string, options: QueueOptions<T>) {
    this.core = new QueueCore(framework, queuePath, coreOptions(queuePath, options), STANDARD_VARIANT);
  }

  get path(): string {
    return this.core.queuePath;
  }

  /** Creates the queue node if missing and, with a consumer, starts consuming. Puts need a started queue. */
  start(): Promise<void> {
    return this.core.start();
  }

  /** Stops consuming (the consumer's signal aborts; the item in hand is finished) and waits for pending puts. */
  close(): Promise<void> {
    return this.core.close();
  }

  /** Adds an item; with maxItems waits for room (false if `timeoutMs` ran out first). */
  put(item: T, options?: PutOptions): Promise<boolean> {
    return this.core.put(QUEUE_ITEM_NAME, [item], options);
  }

  /** Adds several items in one node: consumed together, in order. */
  putMulti(items: readonly T[], options?: PutOptions): Promise<boolean> {
    return this.core.put(QUEUE_ITEM_NAME, items, options);
  }

  /** Waits until every put in flight has completed (false after `timeoutMs`). */
  flushPuts(timeoutMs: number): Promise<boolean> {
    return this.core.flushPuts(timeoutMs);
  }

  /** Item nodes at the last read of the children (consumers and bounded queues; for information). */
  get lastMessageCount(): number {
    return this.core.lastMessageCount;
  }

  /** The item node names now, in consumption order. */
  itemNodes(): Promise<string[]> {
    return this.core.itemNodes();
  }
}
