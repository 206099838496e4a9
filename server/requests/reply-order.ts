// Keeps one connection's replies in request order while its writes wait for the txn log: a
// read (or ping) that arrives behind a pending write runs only once that write is applied, so
// a session always reads its own writes. Counterpart: CommitProcessor's per-session queues.

import { Fifo } from './fifo.js';

/** A queued step: a read ready to run, or a write's reply that is set once the write is applied. */
interface Slot {
  step: (() => void) | undefined;
}

export class ReplyOrder {
  /** Reserved write slots (step undefined until applied) and queued reads, oldest first. */
  private readonly queue = new Fifo<Slot>();

  /** True when nothing is waiting: a read may run at once. */
  get idle(): boolean {
    return this.queue.length === 0;
  }

  /** Runs `step` now if nothing is waiting, else after everything queued before it. */
  run(step: () => void): void {
    if (this.idle) step();
    else this.queue.push({ step });
  }

  /** Reserves a place for a write's reply; call the returned function once the write is applied. */
  reserve(): (reply: () => void) => void {
    const slot: Slot = { step: undefined };
    this.queue.push(slot);
    return (reply) => {
      slot.step = reply;
      this.drain();
    };
  }

  private drain(): void {
    for (let slot = this.queue.peek(); slot?.step !== undefined; slot = this.queue.peek()) {
      this.queue.shift();
      slot.step();
    }
  }
}
