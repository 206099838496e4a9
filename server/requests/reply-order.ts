// Keeps one connection's replies in request order while its writes wait for the txn log: a
// read (or ping) that arrives behind a pending write runs only once that write is applied, so
// a session always reads its own writes. Counterpart: CommitProcessor's per-session queues.

type Step = (() => void) | undefined;

export class ReplyOrder {
  /** Reserved write slots (undefined until committed) and queued reads, oldest first. */
  private readonly queue: Step[] = [];
  private head = 0;

  /** True when nothing is waiting: a read may run at once. */
  get idle(): boolean {
    return this.head === this.queue.length;
  }

  /** Runs `step` now if nothing is waiting, else after everything queued before it. */
  run(step: () => void): void {
    if (this.idle) step();
    else this.queue.push(step);
  }

  /** Reserves a place for a write's reply; call the returned function once the write is applied. */
  reserve(): (reply: () => void) => void {
    const index = this.queue.length;
    this.queue.push(undefined);
    return (reply) => {
      this.queue[index] = reply;
      this.drain();
    };
  }

  private drain(): void {
    while (this.head < this.queue.length) {
      const step = this.queue[this.head];
      if (step === undefined) return;
      this.queue[this.head++] = undefined;
      step();
    }
    this.queue.length = 0;
    this.head = 0;
  }
}
