// The settings every DistributedQueue variant takes (Curator's QueueBuilder as an options object).

import type { ConsumerSpec, ErrorMode, QueueConsumer, TransactionalQueueConsumer } from './item-processor.js';
import type { QueueCoreOptions } from './queue-core.js';
import type { QueueSerializer } from './queue-serializer.js';

export interface QueueOptions<T> {
  /** Items to bytes and back (stringSerializer, jsonSerializer(), bytesSerializer or your own). */
  readonly serializer: QueueSerializer<T>;
  /** Consumes items once the queue is started. Omit both consumers for a producer-only queue. */
  readonly consumer?: QueueConsumer<T>;
  /** Instead of `consumer`: returns operations committed atomically with the item's removal (exactly once). */
  readonly transactionalConsumer?: TransactionalQueueConsumer<T>;
  /**
   * Lock-safe consumption: an item is locked (an ephemeral node under this path) while consumed
   * and deleted only after the consumer succeeded, so a consumer that dies leaves it to another.
   */
  readonly lockPath?: string;
  /** A consumer that throws (with lockPath or a transactional consumer): "requeue" (default) or "delete" the item. */
  readonly errorMode?: ErrorMode;
  /** Bound the queue: puts wait while it holds this many item nodes (a soft bound: concurrent puts may overshoot). */
  readonly maxItems?: number;
  /** Consumer failures, corrupted items, background read errors. Default: process.emitWarning. */
  readonly onError?: (error: unknown, what: string) => void;
}

export function coreOptions<T>(path: string, o: QueueOptions<T>): QueueCoreOptions<T> {
  if (o.consumer !== undefined && o.transactionalConsumer !== undefined) {
    throw new TypeError('give a queue either a consumer or a transactionalConsumer, not both');
  }
  const consumer: ConsumerSpec<T> | undefined = o.consumer
    ? { kind: 'plain', consume: o.consumer }
    : o.transactionalConsumer
      ? { kind: 'transactional', consume: o.transactionalConsumer }
      : undefined;
  return {
    serializer: o.serializer,
    consumer,
    lockPath: o.lockPath,
    errorMode: o.errorMode ?? 'requeue',
    maxItems: o.maxItems,
    onError: o.onError ?? ((e, what) => process.emitWarning(`zabkit recipes: queue ${path}: ${what}: ${String(e)}`)),
  };
}
