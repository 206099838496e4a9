// Applies the outcomes of a cache's reads strictly in the order the reads were sent. ZooKeeper
// answers one session's requests in order, so this order is the server's order, whatever depth
// of promise chains each answer travels through on the client. A read that settles early waits
// for every read sent before it. Counterpart: the single event thread Curator's caches rely on.

export type ReadOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

interface Slot {
  settled: boolean;
  apply: () => void;
}

export class OrderedReads {
  private readonly slots: Slot[] = [];
  private head = 0;
  private idleWaiters: Array<() => void> = [];

  /** Sends `read` now; `apply` runs with its outcome once every earlier read has been applied. */
  issue<T>(read: () => Promise<T>, apply: (outcome: ReadOutcome<T>) => void): void {
    const slot: Slot = { settled: false, apply: () => undefined };
    this.slots.push(slot);
    const settle = (outcome: ReadOutcome<T>): void => {
      slot.settled = true;
      slot.apply = () => apply(outcome);
      this.drain();
    };
    let promise: Promise<T>;
    try {
      promise = read();
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then((value) => settle({ ok: true, value }), (error: unknown) => settle({ ok: false, error }));
  }

  /** Reads sent and not yet applied. */
  get pending(): number {
    return this.slots.length - this.head;
  }

  /** Resolves once every read sent so far (and any they lead to) has been applied. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    while (this.head < this.slots.length && this.slots[this.head]!.settled) {
      const slot = this.slots[this.head]!;
      this.slots[this.head] = DONE;
      this.head++;
      slot.apply();
    }
    if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots.splice(0, this.head);
      this.head = 0;
    }
    if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}

const DONE: Slot = { settled: true, apply: () => undefined };
