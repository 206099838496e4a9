// DistributedDelayQueue: a DistributedQueue whose items become visible at a given time (epoch
// milliseconds), written into the node name ("queue-|<hex epoch>|<seq>", Curator's format). The
// consumer takes due items earliest first and sleeps until the next one is due (or the children
// change). Due times are wall-clock times compared across machines: keep clocks in sync. The
// clock is injectable for tests. Counterpart: org.apache.curator.framework.recipes.queue.DistributedDelayQueue.

import type { Clock, ZooKeeperFramework } from '../../framework/index.js';
import { WALL_CLOCK } from './children-cache.js';
import { QueueCore, type PutOptions } from './queue-core.js';
import { coreOptions, type QueueOptions } from './queue-options.js';
import { delayVariant, epochToString, QUEUE_ITEM_NAME } from './queue-variant.js';

export interface DelayQueueOptions<T> extends QueueOptions<T> {
  /** The time due times are compared with (epoch milliseconds) and its timers. Default: Date.now and real timers. */
  readonly clock?: Clock;
}

export class DistributedDelayQueue<T> {
  private readonly core: QueueCore<T>;

  constructor(framework: ZooKeeperFramework, queuePath: string, options: DelayQueueOptions<T>) {
    const clock = options.clock ?? WALL_CLOCK;
    this.core = new QueueCore(framework, queuePath, coreOptions(queuePath, options), delayVariant(() => clock.now(), Infinity), clock);
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

  /** Adds an item that becomes visible to consumers at `delayUntilEpochMs`. */
  put(item: T, delayUntilEpochMs: number, options?: PutOptions): Promise<boolean> {
    return this.core.put(QUEUE_ITEM_NAME + epochToString(delayUntilEpochMs), [item], options);
  }

  putMulti(items: readonly T[], delayUntilEpochMs: number, options?: PutOptions): Promise<boolean> {
    return this.core.put(QUEUE_ITEM_NAME + epochToString(delayUntilEpochMs), items, options);
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
