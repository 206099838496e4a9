// How long a ZooKeeper queue can get. Every consumer lists the queue node's children in one reply,
// and a client refuses replies longer than jute.maxbuffer (0xfffff = 1 048 575 bytes by default,
// Java and zabkit alike); past that the listing fails and the connection is dropped, so the
// queue stops working for every consumer. The reply is a 16-byte header, (with zabkit's
// getChildren, which also returns the parent's Stat: +68 bytes,) a 4-byte count, and per child a
// 4-byte length plus its name. Counterpart: the "10K-ish items" warning of Curator's QueueSharder.

/** jute.maxbuffer's default: the largest reply a ZooKeeper client accepts. */
export const DEFAULT_MAX_BUFFER_BYTES = 0xfffff;

/** Reply header (xid, zxid, err) + children count + the parent's Stat (getChildren2). */
const LISTING_OVERHEAD_BYTES = 16 + 4 + 68;

/** The names of the standard queue's nodes: "queue-" + 10 digits (Curator's DistributedQueue). */
export const QUEUE_NAME_LENGTH = 16;
/** "qn-" + 10 digits (SimpleDistributedQueue). */
export const SIMPLE_QUEUE_NAME_LENGTH = 13;
/** "queue-" + 9 priority characters + 10 digits. */
export const PRIORITY_QUEUE_NAME_LENGTH = 25;
/** "queue-|" + 11 hex digits (epoch ms until 2527) + "|" + 10 digits. */
export const DELAY_QUEUE_NAME_LENGTH = 29;

/**
 * The most item nodes a queue can hold while its listing still fits in `maxBufferBytes`, for
 * item names of `nameLength` ASCII characters (an id queue: 18 + the id's length).
 */
export function maxQueueLength(nameLength: number, maxBufferBytes = DEFAULT_MAX_BUFFER_BYTES): number {
  if (!(Number.isInteger(nameLength) && nameLength > 0)) throw new RangeError(`nameLength must be a positive integer, got ${nameLength}`);
  return Math.max(0, Math.floor((maxBufferBytes - LISTING_OVERHEAD_BYTES) / (4 + nameLength)));
}
