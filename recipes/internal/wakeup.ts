// A waiter's doorbell: watch events and connection changes ring it, the contender loop waits for
// it. A ring that comes before the wait is kept, so an event between setting a watch and starting
// to wait is never missed. Counterpart: the wait()/notifyAll() pair of Curator's LockInternals.

export class Wakeup {
  private rung = false;
  private waiters: Array<() => void> = [];

  /** Wakes the current waiter (or the next one, if nobody waits yet). */
  ring(): void {
    this.rung = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Forgets a ring nobody waited for (before re-reading the state the ring was about). */
  reset(): void {
    this.rung = false;
  }

  /** Resolves at the next ring (at once if one came since the last reset or wait). */
  wait(): Promise<void> {
    if (this.rung) {
      this.rung = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.waiters.push(() => {
        this.rung = false;
        resolve();
      });
    });
  }
}
