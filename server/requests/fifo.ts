// A first-in first-out queue over one array: O(1) push and shift, taken slots cleared at once
// (so nothing taken stays reachable), the array compacted in bulk. For queues that rarely run
// empty under load, such as a pipeline's txns waiting for the log or a busy session's replies.
// Counterpart: the LinkedBlockingQueues between ZooKeeper's request processors.

const COMPACT_AFTER = 1024;

export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Removes and returns the oldest item; undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
