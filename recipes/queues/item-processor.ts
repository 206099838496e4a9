// How one item node is taken from the queue — the part that decides the delivery guarantee:
//
// - no lockPath (Curator's default): read the item, delete it, then hand it to the consumer.
//   The delete decides who gets it, so no two consumers get one item; a consumer that fails or
//   dies after the delete loses it. At most once.
// - lockPath: create the EPHEMERAL lock node <lockPath>/<item name> first (whoever creates it owns
//   the item), read the item, consume it, and only then delete it (or, if the consumer threw and
//   the error mode is "requeue", delete + re-create it at the back in one transaction). A consumer
//   that dies mid-item loses its session and so its lock node, and the item goes to another
//   consumer. At least once: a consumer that dies after its side effects but before the delete
//   has its item consumed again. Every write after the consumer ran checks that the lock node's
//   session is still ours; otherwise the item is left alone (someone else owns it now). While it
//   holds the lock the consumer's signal aborts if the lock is lost (per the framework's
//   connection-state error policy), and the lock node's czxid is its fencing token.
// - transactional consumer (with or without lockPath): the consumer returns ZooKeeper operations,
//   and they are committed in ONE transaction together with the item's delete. Either the item is
//   gone and its effects applied, or neither — whoever's transaction deletes the item applied its
//   effects, nobody else's can. Exactly once for the effects written that way, whatever crashes.
// A consumer whose lock node we found taken is watched, so its release (or death) makes us look
// again. Counterpart: DistributedQueue.processNormally / processWithLockSafety / processMessageBytes.

import {
  BadVersionError, CreateMode, isMultiError, NodeExistsError, NoNodeError, Op, TransactionOp, WatcherType,
  type Watcher, type ZooKeeperClient, type ZooKeeperFramework,
} from '../../framework/index.js';
import { LockLostError } from '../errors.js';
import { LostTracker, makePath } from '../internal/index.js';
import { deserializeItems } from './item-serializer.js';
import type { QueueSerializer } from './queue-serializer.js';
import type { QueueVariant } from './queue-variant.js';

/** What a consumer gets besides the item. */
export interface QueueConsumerContext {
  /**
   * Aborted when the queue closes, and — with a lockPath — when the item's lock is lost (its
   * session is lost, or the connection is suspended under the standard error policy; the reason is
   * a LockLostError): stop early if you can; the item then stays queued for another consumer.
   */
  readonly signal: AbortSignal;
  /** The item's node name (several items put with putMulti share one): unique, never reused — an idempotency key. */
  readonly itemNode: string;
  /**
   * With a lockPath: the czxid of this consumer's lock node for the item. An item consumed again
   * after its consumer died gets a new lock node with a larger czxid, so a store that remembers
   * the largest token per item can refuse the late writes of the consumer that was given up.
   */
  readonly fencingToken?: bigint;
}

/** Consumes one item. Throwing counts as a failure (see ErrorMode). */
export type QueueConsumer<T> = (item: T, context: QueueConsumerContext) => void | Promise<void>;

/** Returns the operations that record the item's effects; they commit atomically with the item's removal. */
export type TransactionalQueueConsumer<T> = (item: T, context: QueueConsumerContext) => readonly TransactionOp[] | Promise<readonly TransactionOp[]>;

export type ConsumerSpec<T> =
  | { readonly kind: 'plain'; readonly consume: QueueConsumer<T> }
  | { readonly kind: 'transactional'; readonly consume: TransactionalQueueConsumer<T> };

/** What happens to an item whose consumer threw (with a lockPath or a transactional consumer): back of the queue, or dropped. */
export type ErrorMode = 'requeue' | 'delete';

export interface ItemProcessorInit<T> {
  readonly framework: ZooKeeperFramework;
  readonly queuePath: string;
  readonly lockPath: string | undefined;
  readonly serializer: QueueSerializer<T>;
  readonly consumer: ConsumerSpec<T> | undefined;
  readonly errorMode: ErrorMode;
  readonly variant: QueueVariant;
  readonly signal: AbortSignal;
  readonly onError: (error: unknown, what: string) => void;
  /** A lock node we waited on went away. */
  readonly onLockReleased: () => void;
}

/** Our lock node's session is no longer the framework's: the item is not ours any more. */
class LockGone extends Error {}

type Outcome = 'done' | 'requeue';

/** The lock node we hold for an item: its owning session, its czxid, and the loss tracking while we hold it. */
interface ItemLock {
  readonly session: bigint;
  readonly context: QueueConsumerContext;
  readonly tracker: LostTracker<LockLostError>;
}

export class ItemProcessor<T> {
  private readonly framework: ZooKeeperFramework;
  private readonly watchedLocks = new Set<string>();
  private readonly lockWatcher: Watcher;

  constructor(private readonly init: ItemProcessorInit<T>) {
    this.framework = init.framework;
    this.lockWatcher = (event) => {
      this.watchedLocks.delete(event.path);
      init.onLockReleased();
    };
  }

  /** Consumes (or, for 'remove', just removes) the item; false when someone else took it first. */
  async process(itemNode: string, type: 'consume' | 'remove'): Promise<boolean> {
    try {
      if (this.init.lockPath !== undefined) return await this.withLock(itemNode, type, this.init.lockPath);
      if (type === 'consume' && this.init.consumer?.kind === 'transactional') return await this.transactionally(itemNode, undefined);
      return await this.normally(itemNode, type);
    } catch (e) {
      if (e instanceof LockGone || e instanceof NoNodeError || e instanceof NodeExistsError || e instanceof BadVersionError) return false;
      throw e;
    }
  }

  /** Removes the watches on other consumers' lock nodes. */
  async close(): Promise<void> {
    const paths = [...this.watchedLocks];
    this.watchedLocks.clear();
    if (this.framework.lifecycle !== 'started') return;
    const removals = paths.map((p) =>
      this.framework.removeWatches(p, WatcherType.Data, { watcher: this.lockWatcher, local: true }).catch(() => undefined),
    );
    if (this.framework.isConnected) await Promise.all(removals);
  }

  private itemPath(itemNode: string): string {
    return makePath(this.init.queuePath, itemNode);
  }

  /** Curator's processNormally: read, delete, then consume. */
  private async normally(itemNode: string, type: 'consume' | 'remove'): Promise<boolean> {
    const itemPath = this.itemPath(itemNode);
    let data: Buffer | null = null;
    let version = -1;
    if (type === 'consume') {
      const read = await this.framework.getData(itemPath, { compressed: false });
      data = read.data;
      version = read.stat.version;
    }
    if (this.framework.lifecycle !== 'started') return false;
    await this.framework.delete(itemPath, { version });
    if (type === 'consume') await this.consumeAll(this.plainContext(itemNode), data);
    return true;
  }

  /** Curator's processWithLockSafety (plus the session checks). */
  private async withLock(itemNode: string, type: 'consume' | 'remove', lockPath: string): Promise<boolean> {
    const lockNode = makePath(lockPath, itemNode);
    const lock = await this.takeLock(lockNode, itemNode, lockPath);
    if (lock === undefined) {
      await this.watchLock(lockNode);
      return false;
    }
    const { session, context } = lock;
    try {
      const itemPath = this.itemPath(itemNode);
      if (type === 'remove') {
        await this.asOwner(session, (client) => client.delete(this.framework.fixForNamespace(itemPath), -1));
        return true;
      }
      if (this.init.consumer?.kind === 'transactional') return await this.transactionally(itemNode, session, context);
      const { data } = await this.framework.getData(itemPath, { compressed: false });
      const outcome = await this.consumeAll(context, data);
      if (outcome === 'requeue') await this.requeue(itemNode, data, session);
      else await this.asOwner(session, (client) => client.delete(this.framework.fixForNamespace(itemPath), -1));
      return true;
    } finally {
      lock.tracker.stop();
      await this.releaseLock(lockNode, session);
    }
  }

  /** The consumer's operations and the item's delete, in one transaction. */
  private async transactionally(itemNode: string, session: bigint | undefined, context = this.plainContext(itemNode)): Promise<boolean> {
    const consumer = this.init.consumer;
    if (consumer?.kind !== 'transactional') throw new Error('not a transactional consumer');
    const itemPath = this.itemPath(itemNode);
    const { data } = await this.framework.getData(itemPath, { compressed: false });
    const items = this.decode(itemNode, data);
    if (items === undefined) {
      await this.removeItem(itemNode, session);
      return true;
    }
    const ops: TransactionOp[] = [];
    try {
      for (const item of items) ops.push(...(await consumer.consume(item, context)));
    } catch (e) {
      this.init.onError(e, `the queue consumer failed on ${itemNode}`);
      await this.afterFailure(itemNode, data, session);
      return true;
    }
    try {
      await this.framework.transaction().forOperations([TransactionOp.delete(itemPath), ...ops]);
      return true;
    } catch (e) {
      if (!isMultiError(e)) throw e;
      const first = e.results[0];
      // The item is gone: another consumer's transaction (or our own, whose reply was lost) took it with its effects.
      if (first?.op === 'error' && first.error instanceof NoNodeError) return false;
      this.init.onError(e, `the transaction of the queue consumer failed on ${itemNode}`);
      await this.afterFailure(itemNode, data, session);
      return true;
    }
  }

  private async afterFailure(itemNode: string, data: Buffer | null, session: bigint | undefined): Promise<void> {
    if (this.init.errorMode === 'requeue') await this.requeue(itemNode, data, session);
    else await this.removeItem(itemNode, session);
  }

  private async removeItem(itemNode: string, session: bigint | undefined): Promise<void> {
    const itemPath = this.itemPath(itemNode);
    if (session === undefined) await this.framework.delete(itemPath);
    else await this.asOwner(session, (client) => client.delete(this.framework.fixForNamespace(itemPath), -1));
  }

  /** Deletes the item and creates it again at the back of the queue (same bytes, same ACL), atomically. */
  private async requeue(itemNode: string, data: Buffer | null, session: bigint | undefined): Promise<void> {
    const itemPath = this.itemPath(itemNode);
    const requeuePath = makePath(this.init.queuePath, this.init.variant.requeuePrefix(itemNode));
    const { acl } = await this.framework.getACL(itemPath);
    const ops = [
      Op.delete(this.framework.fixForNamespace(itemPath), -1),
      Op.create(this.framework.fixForNamespace(requeuePath), data, { mode: CreateMode.PERSISTENT_SEQUENTIAL, acl }),
    ];
    if (session === undefined) await this.framework.withRetry((client) => client.multi(ops));
    else await this.asOwner(session, (client) => client.multi(ops));
  }

  /** Runs `op` in the retry loop, but only on the session that owns our lock node. */
  private asOwner<R>(session: bigint, op: (client: ZooKeeperClient) => Promise<R>): Promise<R> {
    return this.framework.withRetry(async (client) => {
      if (client.sessionId !== session) throw new LockGone();
      return op(client);
    });
  }

  /** Creates our lock node; undefined if another consumer's is there (or ours vanished at once). */
  private async takeLock(lockNode: string, itemNode: string, lockPath: string): Promise<ItemLock | undefined> {
    let existed = false;
    try {
      await this.framework.create(lockNode, Buffer.alloc(0), { mode: CreateMode.EPHEMERAL });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
      existed = true;
    }
    const stat = await this.framework.exists(lockNode);
    if (stat === null) return undefined; // gone already: look again later (the children watch or a poke brings us back)
    if (existed && stat.ephemeralOwner !== this.framework.client.sessionId) return undefined;
    const session = stat.ephemeralOwner;
    const tracker = new LostTracker(this.framework, session, (reason) => new LockLostError(lockPath, reason, lockNode));
    const context: QueueConsumerContext = {
      signal: AbortSignal.any([this.init.signal, tracker.signal]),
      itemNode,
      fencingToken: stat.czxid,
    };
    return { session, context, tracker };
  }

  /** Deletes our lock node, unless our session is gone (then so is the node, and a node of that name is someone else's). */
  private async releaseLock(lockNode: string, session: bigint): Promise<void> {
    if (this.framework.lifecycle !== 'started') return;
    try {
      await this.asOwner(session, async (client) => {
        try {
          await client.delete(this.framework.fixForNamespace(lockNode), -1);
        } catch (e) {
          if (!(e instanceof NoNodeError)) throw e;
        }
      });
    } catch (e) {
      if (!(e instanceof LockGone) && this.framework.lifecycle === 'started') this.init.onError(e, `releasing the queue lock ${lockNode}`);
    }
  }

  /** Watches another consumer's lock node; its deletion (release or death) pokes the consumer loop. */
  private async watchLock(lockNode: string): Promise<void> {
    const stat = await this.framework.exists(lockNode, { watch: this.lockWatcher });
    if (stat === null) {
      this.init.onLockReleased();
      return;
    }
    this.watchedLocks.add(lockNode);
  }

  private plainContext(itemNode: string): QueueConsumerContext {
    return { signal: this.init.signal, itemNode };
  }

  /** Curator's processMessageBytes: each item to the consumer, in order; 'requeue' at the first failure in requeue mode. */
  private async consumeAll(context: QueueConsumerContext, data: Buffer | null): Promise<Outcome> {
    const consumer = this.init.consumer;
    if (consumer?.kind !== 'plain') return 'done';
    const items = this.decode(context.itemNode, data);
    if (items === undefined) return 'done';
    for (const item of items) {
      try {
        await consumer.consume(item, context);
      } catch (e) {
        this.init.onError(e, `the queue consumer failed on ${context.itemNode}`);
        if (this.init.errorMode === 'requeue') return 'requeue';
      }
    }
    return 'done';
  }

  /** The items of a node; undefined (reported) when the bytes are not Curator's item format — such an item is dropped, as Curator does. */
  private decode(itemNode: string, data: Buffer | null): T[] | undefined {
    try {
      return deserializeItems(data ?? Buffer.alloc(0), this.init.serializer);
    } catch (e) {
      this.init.onError(e, `corrupted queue item ${itemNode}`);
      return undefined;
    }
  }
}
