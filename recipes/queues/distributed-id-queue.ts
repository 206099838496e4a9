// DistributedIdQueue: a DistributedQueue whose items carry an id ("queue-|<id>|<seq>", Curator's
// format; "/" and "|" in ids become "_"), so items can be removed before they are consumed.
// Consumption stays FIFO whatever the ids. Counterpart: org.apache.curator.framework.recipes.queue.DistributedIdQueue.

import type { ZooKeeperFramework } from '../../framework/index.js';
import { QueueCore, type PutOptions } from './queue-core.js';
import { coreOptions, type QueueOptions } from './queue-options.js';
import { fixId, ID_VARIANT, idPrefix, parseId } from './queue-variant.js';

export class DistributedIdQueue<T> {
  private readonly core: QueueCore<T>;

  constructor(framework: ZooKeeperFramework, queuePath: string, options: QueueOptions<T>) {
    this.core = new QueueCore(framework, queuePath, coreOptions(queuePath, options), ID_VARIANT);
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

  /** Adds an item under `itemId` (non-empty; several items may share an id). */
  async put(item: T, itemId: string, options?: PutOptions): Promise<boolean> {
    checkId(itemId);
    return this.core.put(idPrefix(itemId), [item], options);
  }

  /** Removes every queued item with this id (lock-safe with a lockPath); resolves to how many this call removed. */
  async remove(itemId: string): Promise<number> {
    checkId(itemId);
    const wanted = fixId(itemId);
    let removed = 0;
    for (const name of await this.core.itemNodes()) {
      if (parseId(name).id === wanted && (await this.core.tryRemove(name))) removed++;
    }
    return removed;
  }

  /** Whether an item with this id is queued now. */
  async isQueued(itemId: string): Promise<boolean> {
    checkId(itemId);
    const wanted = fixId(itemId);
    return (await this.core.itemNodes()).some((name) => parseId(name).id === wanted);
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

function checkId(itemId: string): void {
  if (typeof itemId !== 'string' || itemId.length === 0) throw new RangeError(`invalid item id: "${String(itemId)}"`);
}
