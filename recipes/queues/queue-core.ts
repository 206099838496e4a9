// The engine of the DistributedQueue family (Curator's DistributedQueue, whose priority, delay and
// id variants wrap it): puts create PERSISTENT_SEQUENTIAL "queue-..." nodes holding Curator's
// item bytes; a started consumer follows the children (ChildrenCache) and takes items in the
// variant's order, one at a time, through an ItemProcessor. maxItems makes puts wait while the
// queue is full. close() aborts the consumer's signal, waits for the item in hand and for pending
// puts, and removes every watch; closing the framework closes the queue.
// Counterpart: org.apache.curator.framework.recipes.queue.DistributedQueue (runLoop,
// processChildren, internalPut, blockIfMaxed).

import type { Subscription } from 'rxjs';
import { CreateMode, NodeExistsError, type Clock, type ZooKeeperFramework } from '../../framework/index.js';
import { checkStarted } from '../barriers/watch-wait.js';
import { makePath, validatePath } from '../internal/index.js';
import { ChildrenCache, WALL_CLOCK } from './children-cache.js';
import { serializeItems } from './item-serializer.js';
import { ItemProcessor, type ConsumerSpec, type ErrorMode } from './item-processor.js';
import type { QueueSerializer } from './queue-serializer.js';
import { QUEUE_ITEM_NAME, type QueueVariant } from './queue-variant.js';

export interface QueueCoreOptions<T> {
  readonly serializer: QueueSerializer<T>;
  readonly consumer: ConsumerSpec<T> | undefined;
  readonly lockPath: string | undefined;
  readonly errorMode: ErrorMode;
  readonly maxItems: number | undefined;
  readonly onError: (error: unknown, what: string) => void;
}

export interface PutOptions {
  /** With maxItems: how long to wait for room (false when it runs out). Default: as long as it takes. */
  readonly timeoutMs?: number;
  /** With maxItems: aborting the wait for room rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Pause after a failed consumer round before the next one. */
const FAILED_ROUND_PAUSE_MS = 1000;

type Lifecycle = 'latent' | 'started' | 'closed';

export class QueueCore<T> {
  readonly queuePath: string;
  private lifecycle: Lifecycle = 'latent';
  private readonly cache: ChildrenCache;
  private readonly processor: ItemProcessor<T>;
  private readonly closing = new AbortController();
  private readonly pendingPuts = new Set<Promise<unknown>>();
  private readonly reportedForeign = new Set<string>();
  private loop: Promise<void> | undefined;
  private frameworkClosed: Subscription | undefined;

  constructor(
    readonly framework: ZooKeeperFramework,
    queuePath: string,
    private readonly options: QueueCoreOptions<T>,
    readonly variant: QueueVariant,
    /** Whose time the due times of a delay queue are compared with. */
    private readonly clock: Clock = WALL_CLOCK,
  ) {
    this.queuePath = validatePath(queuePath);
    if (options.lockPath !== undefined) validatePath(options.lockPath);
    if (options.maxItems !== undefined && !(Number.isInteger(options.maxItems) && options.maxItems > 0)) {
      throw new RangeError(`maxItems must be a positive integer, got ${options.maxItems}`);
    }
    this.cache = new ChildrenCache(framework, this.queuePath, (e) => options.onError(e, `reading the children of ${this.queuePath}`));
    this.processor = new ItemProcessor({
      framework,
      queuePath: this.queuePath,
      lockPath: options.lockPath,
      serializer: options.serializer,
      consumer: options.consumer,
      errorMode: options.errorMode,
      variant,
      signal: this.closing.signal,
      onError: options.onError,
      onLockReleased: () => this.cache.poke(),
    });
  }

  get isConsumer(): boolean {
    return this.options.consumer !== undefined;
  }

  /** Creates the queue node (and the lock node) if missing, and starts the consumer. */
  async start(): Promise<void> {
    if (this.lifecycle !== 'latent') throw new Error(`the queue at ${this.queuePath} cannot be started more than once`);
    checkStarted(this.framework);
    this.lifecycle = 'started';
    this.frameworkClosed = this.framework.connectionState$.subscribe({ complete: () => void this.close() });
    await ensureNode(this.framework, this.queuePath);
    if (this.options.lockPath !== undefined) await ensureNode(this.framework, this.options.lockPath);
    if (this.isConsumer || this.options.maxItems !== undefined) await this.cache.start();
    if (this.isConsumer) this.loop = this.runLoop();
  }

  /** Stops consuming (the consumer's signal aborts; the item in hand is finished), waits for pending puts, removes the watches. */
  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    this.frameworkClosed?.unsubscribe();
    this.closing.abort(new Error(`the queue at ${this.queuePath} was closed`));
    await this.cache.close();
    await this.loop;
    await Promise.allSettled([...this.pendingPuts]);
    await this.processor.close();
  }

  /** Creates one node `<queuePath>/<namePrefix><seq>` holding `items`; false if maxItems left no room in time. */
  async put(namePrefix: string, items: readonly T[], options: PutOptions = {}): Promise<boolean> {
    this.checkStarted();
    const bytes = serializeItems(items, this.options.serializer);
    if (!(await this.waitForRoom(options))) return false;
    const creating = this.framework.create(makePath(this.queuePath, namePrefix), bytes, {
      mode: CreateMode.PERSISTENT_SEQUENTIAL,
      compressed: false,
    });
    this.pendingPuts.add(creating);
    try {
      await creating;
      return true;
    } finally {
      this.pendingPuts.delete(creating);
    }
  }

  /** Resolves true once every put in flight has completed, false after `timeoutMs`. */
  async flushPuts(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([Promise.allSettled([...this.pendingPuts]).then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** How many items the queue held at the last read of its children (consumers and bounded queues only). */
  get lastMessageCount(): number {
    return this.cache.current.children.length;
  }

  /** The item node names, in consumption order. */
  async itemNodes(): Promise<string[]> {
    this.checkStarted();
    const children = await this.framework.getChildren(this.queuePath);
    return this.variant.sort(children.filter((c) => c.startsWith(QUEUE_ITEM_NAME)));
  }

  /** Removes one item without consuming it (lock-safe if the queue has a lock path); false if someone else took it first. */
  tryRemove(itemNode: string): Promise<boolean> {
    this.checkStarted();
    return this.processor.process(itemNode, 'remove');
  }

  private checkStarted(): void {
    if (this.lifecycle !== 'started') throw new Error(`the queue at ${this.queuePath} is ${this.lifecycle === 'latent' ? 'not started' : 'closed'}`);
  }

  private async waitForRoom(options: PutOptions): Promise<boolean> {
    const maxItems = this.options.maxItems;
    if (maxItems === undefined) return true;
    const deadline = options.timeoutMs === undefined ? undefined : performance.now() + options.timeoutMs;
    const signal = options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
    // Our own earlier puts must count: look at a listing taken now, not the cached one.
    let snapshot = await this.cache.fresh(signal);
    while (snapshot.children.length >= maxItems) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (this.lifecycle !== 'started') this.checkStarted();
      const left = deadline === undefined ? undefined : deadline - performance.now();
      if (left !== undefined && left <= 0) return false;
      snapshot = await this.cache.nextChange(snapshot.version, left, signal);
    }
    return true;
  }

  /** Curator's runLoop: wait for a newer snapshot (or the first item's due time), then process the items. */
  private async runLoop(): Promise<void> {
    const processor = this.processor;
    const signal = this.closing.signal;
    let version = -1;
    let maxWaitMs: number | undefined;
    while (this.lifecycle === 'started') {
      const snapshot = await this.cache.nextChange(version, maxWaitMs, signal, this.clock);
      if (this.lifecycle !== 'started') return;
      version = snapshot.version;
      const items = this.variant.sort(this.itemsOf(snapshot.children));
      maxWaitMs = undefined;
      if (items.length === 0) continue;
      const delay = this.variant.delayOf(items[0]!);
      if (delay > 0) {
        maxWaitMs = delay;
        continue;
      }
      try {
        await this.processItems(processor, items, version);
      } catch (e) {
        if (this.lifecycle !== 'started') return;
        this.options.onError(e, `consuming from ${this.queuePath}`);
        version = -1; // look again after the pause, whether or not the children changed
        await pause(FAILED_ROUND_PAUSE_MS, signal);
      }
    }
  }

  private async processItems(processor: ItemProcessor<T>, items: readonly string[], version: number): Promise<void> {
    let before = this.variant.minItemsBeforeRefresh;
    for (const itemNode of items) {
      if (this.lifecycle !== 'started') return;
      if (before-- <= 0 && this.cache.current.version !== version) return; // priority queue: re-sort
      if (this.variant.delayOf(itemNode) > 0) return; // sorted by due time: the rest is later still
      await processor.process(itemNode, 'consume');
    }
  }

  private itemsOf(children: readonly string[]): string[] {
    return children.filter((name) => {
      if (name.startsWith(QUEUE_ITEM_NAME)) return true;
      if (!this.reportedForeign.has(name)) {
        this.reportedForeign.add(name);
        this.options.onError(new Error(`foreign node in queue path: ${name}`), `reading ${this.queuePath}`);
      }
      return false;
    });
  }
}

/** Creates `path` (a persistent node, parents as containers) unless it exists. */
async function ensureNode(framework: ZooKeeperFramework, path: string): Promise<void> {
  try {
    await framework.create(path, Buffer.alloc(0), { creatingParentContainersIfNeeded: true });
  } catch (e) {
    if (!(e instanceof NodeExistsError)) throw e;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
