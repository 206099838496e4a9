// SimpleDistributedQueue: ZooKeeper's classic queue recipe (the one in ZooKeeper's own recipes,
// kazoo's Queue and Curator's SimpleDistributedQueue): offer() creates a PERSISTENT_SEQUENTIAL
// "qn-<seq>" node with the raw bytes; take / poll / remove read the lowest node and delete it —
// the delete decides which taker gets it, so an item goes to one taker only; a taker that dies
// after the delete loses it (at most once). Waiting takers watch the children and look again
// after every change, reconnect or new session. Non-"qn-" children are skipped.
// Counterpart: org.apache.curator.framework.recipes.queue.SimpleDistributedQueue.

import {
  CreateMode, NodeExistsError, NoNodeError, WatcherType, type Data, type ZooKeeperFramework,
} from '../../framework/index.js';
import { checkStarted, WatchWait, type WaitOptions } from '../barriers/watch-wait.js';
import { QueueEmptyError } from '../errors.js';
import { makePath, validatePath } from '../internal/index.js';

/** The prefix of every item node (ZooKeeper's recipe and kazoo use the same). */
export const SIMPLE_QUEUE_PREFIX = 'qn-';

/** What poll({ timeoutMs }) never rejects with: a timeout just means "nothing came". */
class PollTimeout extends Error {}

export class SimpleDistributedQueue {
  readonly path: string;

  constructor(
    private readonly framework: ZooKeeperFramework,
    path: string,
  ) {
    this.path = validatePath(path);
  }

  /** Adds an item (parents as containers); resolves to its node path. */
  async offer(data: Data): Promise<string> {
    checkStarted(this.framework);
    return this.framework.create(makePath(this.path, SIMPLE_QUEUE_PREFIX), toBytes(data), {
      mode: CreateMode.PERSISTENT_SEQUENTIAL,
      creatingParentContainersIfNeeded: true,
      compressed: false,
    });
  }

  /** The head's data without removing it, or null when empty. */
  async peek(): Promise<Buffer | null> {
    checkStarted(this.framework);
    return this.head(false, undefined);
  }

  /** The head's data without removing it; QueueEmptyError when empty. */
  async element(): Promise<Buffer> {
    const head = await this.peek();
    if (head === null) throw new QueueEmptyError(this.path);
    return head;
  }

  /** Removes the head and returns its data; QueueEmptyError when empty. */
  async remove(): Promise<Buffer> {
    checkStarted(this.framework);
    const head = await this.head(true, undefined);
    if (head === null) throw new QueueEmptyError(this.path);
    return head;
  }

  /**
   * Removes the head and returns its data. Without options: at once, null when empty. With
   * `timeoutMs`: waits that long for an item (then null); with a signal: until aborted (rejects).
   */
  async poll(options?: WaitOptions): Promise<Buffer | null> {
    if (options === undefined) {
      checkStarted(this.framework);
      return this.head(true, undefined);
    }
    try {
      return await this.waitForHead(options);
    } catch (e) {
      if (e instanceof PollTimeout) return null;
      throw e;
    }
  }

  /** Removes the head and returns its data, waiting as long as it takes (or until aborted / closed). */
  take(options: { signal?: AbortSignal } = {}): Promise<Buffer> {
    return this.waitForHead(options) as Promise<Buffer>;
  }

  /** How many items are queued now. */
  async size(): Promise<number> {
    checkStarted(this.framework);
    try {
      return (await this.framework.getChildren(this.path)).filter((c) => c.startsWith(SIMPLE_QUEUE_PREFIX)).length;
    } catch (e) {
      if (e instanceof NoNodeError) return 0;
      throw e;
    }
  }

  private async waitForHead(options: WaitOptions): Promise<Buffer | null> {
    const wait = new WatchWait(this.framework, options, () => new PollTimeout());
    try {
      for (;;) {
        wait.beginCheck();
        await wait.race(this.ensureQueueNode());
        const head = await wait.race(this.head(true, wait));
        if (head !== null) return head;
        await wait.sleep();
      }
    } finally {
      await wait.dispose();
    }
  }

  /** The queue node must exist for its children to be watched (a container: reaped when empty, made again here). */
  private async ensureQueueNode(): Promise<void> {
    try {
      await this.framework.create(this.path, Buffer.alloc(0), { mode: CreateMode.CONTAINER, creatingParentContainersIfNeeded: true });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
  }

  /** The lowest item's data (deleted first if `remove`); null when there is none. Watches the children if `wait` is given. */
  private async head(remove: boolean, wait: WatchWait | undefined): Promise<Buffer | null> {
    let children: string[];
    try {
      wait?.watching(this.path, WatcherType.Children);
      children = await this.framework.getChildren(this.path, wait ? { watch: wait.watcher } : {});
    } catch (e) {
      if (e instanceof NoNodeError) return null;
      throw e;
    }
    const items = children.filter((c) => c.startsWith(SIMPLE_QUEUE_PREFIX)).sort();
    for (const name of items) {
      const itemPath = makePath(this.path, name);
      try {
        const { data, stat } = await this.framework.getData(itemPath, { compressed: false });
        if (remove) await this.framework.delete(itemPath, { version: stat.version });
        return data ?? Buffer.alloc(0);
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e; // another taker got it first: try the next
      }
    }
    return null;
  }
}

function toBytes(data: Data): Buffer {
  if (data === null) return Buffer.alloc(0);
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
}
