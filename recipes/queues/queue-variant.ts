// What distinguishes the DistributedQueue family: how item nodes are named, ordered, delayed and
// re-queued. The plain queue orders by name ("queue-<seq>"); the priority queue puts a sortable
// priority before the sequence; the delay queue a "|<hex epoch ms>|" due time; the id queue a
// "|<id>|" that remove(id) looks for. Counterpart: the overrides of sortChildren / getDelay /
// makeRequeueItemPath in Curator's DistributedPriorityQueue, DistributedDelayQueue and
// DistributedIdQueue, and their priorityToString / epochToString / parseId.

/** Every item node's name starts with this (Curator's QUEUE_ITEM_NAME); other children are foreign. */
export const QUEUE_ITEM_NAME = 'queue-';
const SEPARATOR = '|';

export interface QueueVariant {
  /** The item nodes in the order they are consumed. */
  sort(children: readonly string[]): string[];
  /** Milliseconds until the item may be consumed (<= 0: now). */
  delayOf(itemNode: string): number;
  /** The name prefix (before the server's sequence) a re-queued item gets. */
  requeuePrefix(itemNode: string): string;
  /** Re-read the children (and start over) after this many items if they changed meanwhile. Infinity: never. */
  readonly minItemsBeforeRefresh: number;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** FIFO by server sequence. */
export const STANDARD_VARIANT: QueueVariant = {
  sort: (children) => [...children].sort(byName),
  delayOf: () => 0,
  requeuePrefix: () => QUEUE_ITEM_NAME,
  minItemsBeforeRefresh: Infinity,
};

/** Curator's priority text: "0" + 8 hex digits of the two's complement for negatives, "1" + 8 for the rest, so names sort by priority. */
export function priorityToString(priority: number): string {
  if (!Number.isInteger(priority) || priority < -0x80000000 || priority > 0x7fffffff) {
    throw new RangeError(`a priority is a 32-bit signed integer, got ${priority}`);
  }
  return (priority >= 0 ? '1' : '0') + (priority >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** Lower priorities first, then FIFO (the name sort does both). Re-queued items keep their priority. */
export function priorityVariant(minItemsBeforeRefresh: number): QueueVariant {
  return {
    sort: (children) => [...children].sort(byName),
    delayOf: () => 0,
    requeuePrefix: (itemNode) => QUEUE_ITEM_NAME + itemNode.slice(QUEUE_ITEM_NAME.length, QUEUE_ITEM_NAME.length + 9),
    minItemsBeforeRefresh,
  };
}

/** Curator's due-time text: "|" + the epoch milliseconds in upper-case hex (at least 8 digits) + "|". */
export function epochToString(epochMs: number): string {
  if (!Number.isSafeInteger(epochMs) || epochMs <= 0) throw new RangeError(`a due time is a positive epoch in milliseconds, got ${epochMs}`);
  return SEPARATOR + epochMs.toString(16).toUpperCase().padStart(8, '0') + SEPARATOR;
}

/** The due time in an item name (0 when it has none, as Curator). */
export function epochOf(itemNode: string): number {
  const second = itemNode.lastIndexOf(SEPARATOR);
  const first = second > 0 ? itemNode.lastIndexOf(SEPARATOR, second - 1) : -1;
  if (first > 0 && second > first + 1) {
    const epoch = Number.parseInt(itemNode.slice(first + 1, second), 16);
    if (Number.isFinite(epoch)) return epoch;
  }
  return 0;
}

/** Earliest due first (then FIFO); an item is consumed once `now()` reaches its due time. Re-queued items keep it. */
export function delayVariant(now: () => number, minItemsBeforeRefresh: number): QueueVariant {
  return {
    sort: (children) => [...children].sort((a, b) => epochOf(a) - epochOf(b) || byName(a, b)),
    delayOf: (itemNode) => epochOf(itemNode) - now(),
    requeuePrefix: (itemNode) => QUEUE_ITEM_NAME + epochToString(epochOf(itemNode) || 1),
    minItemsBeforeRefresh,
  };
}

/** An id as it appears in a name: "/" and "|" become "_" (Curator's fixId). */
export function fixId(id: string): string {
  return id.replaceAll('/', '_').replaceAll(SEPARATOR, '_');
}

/** The id in an item name and the name without it (undefined id for a name without one). */
export function parseId(itemNode: string): { id: string | undefined; cleaned: string } {
  const first = itemNode.indexOf(SEPARATOR);
  const second = itemNode.indexOf(SEPARATOR, first + 1);
  if (first < 0 || second < 0) return { id: undefined, cleaned: itemNode };
  return { id: itemNode.slice(first + 1, second), cleaned: itemNode.slice(0, first) + itemNode.slice(second + 1) };
}

/** The name prefix of an item with `id`. */
export function idPrefix(id: string): string {
  return QUEUE_ITEM_NAME + SEPARATOR + fixId(id) + SEPARATOR;
}

/** FIFO by sequence whatever the ids; re-queued items keep their id. */
export const ID_VARIANT: QueueVariant = {
  sort: (children) => [...children].sort((a, b) => byName(parseId(a).cleaned, parseId(b).cleaned)),
  delayOf: () => 0,
  requeuePrefix: (itemNode) => {
    const { id } = parseId(itemNode);
    return id === undefined ? QUEUE_ITEM_NAME : idPrefix(id);
  },
  minItemsBeforeRefresh: Infinity,
};
