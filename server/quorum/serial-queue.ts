// Runs tasks strictly one after another, synchronously when nothing is queued and the task does
// not wait: a task that returns a promise holds back every later task until it settles. This is
// how the driver keeps Readys in the order the machines produced them while some of them wait
// for the disk (epoch files, TRUNC, SNAP), and how inputs arriving meanwhile queue behind them.
// Counterpart: the single QuorumPeer / LearnerHandler threads that serialise ZooKeeper's steps.

export type Task = () => void | Promise<void>;

export class SerialQueue {
  private readonly tasks: Task[] = [];
  private running = false;
  private stopped = false;

  /** `onError` hears about a task that threw or rejected; the queue goes on with the next one. */
  constructor(private readonly onError: (err: unknown) => void) {}

  /** Runs `task` now if idle, else after everything queued before it. */
  run(task: Task): void {
    if (this.stopped) return;
    this.tasks.push(task);
    if (!this.running) this.drain();
  }

  /** True while a task runs or waits. */
  get busy(): boolean {
    return this.running;
  }

  /** Drops queued tasks and refuses new ones (the one running finishes). */
  stop(): void {
    this.stopped = true;
    this.tasks.length = 0;
  }

  /** Resolves once every task queued so far has run (at once when stopped). */
  idle(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.run(resolve));
  }

  private drain(): void {
    this.running = true;
    while (this.tasks.length > 0) {
      const task = this.tasks.shift()!;
      let result: void | Promise<void>;
      try {
        result = task();
      } catch (e) {
        this.onError(e);
        continue;
      }
      if (result instanceof Promise) {
        result.catch((e: unknown) => this.onError(e)).finally(() => this.drain());
        return;
      }
    }
    this.running = false;
  }
}
