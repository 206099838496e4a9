// The queue's view of its node's children: read with a child watch, read again whenever the
// watch fires, after every reconnect (a new session has no watches) and when poked (a lock node
// the consumer waited on went away). Each read bumps a version, so the consumer loop and bounded
// puts can wait for "something newer than what I last saw". Reads are serialized: a change during
// a read leads to one more read afterwards. Counterpart: Curator's queue ChildrenCache.

import { Subject, type Subscription } from 'rxjs';
import {
  ConnectionState, NoNodeError, WatcherType, type Clock, type Watcher, type ZooKeeperFramework,
} from '../../framework/index.js';

/** Epoch milliseconds and real timers: the default clock of the queues. */
export const WALL_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ChildrenSnapshot {
  readonly children: readonly string[];
  /** Bumped by every completed read (starts at 0 before the first). */
  readonly version: number;
}

export class ChildrenCache {
  private snapshot: ChildrenSnapshot = { children: [], version: 0 };
  private readonly changed = new Subject<void>();
  private reading = false;
  private readAgain = false;
  /** Reads started so far; a snapshot records the number of the read that made it. */
  private readsStarted = 0;
  private snapshotRead = 0;
  private closed = false;
  private states: Subscription | undefined;
  private readonly watcher: Watcher = () => this.poke();

  constructor(
    private readonly framework: ZooKeeperFramework,
    readonly path: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts following the children; resolves after the first read. */
  async start(): Promise<void> {
    this.states = this.framework.connectionState$.subscribe((s) => {
      if (s === ConnectionState.RECONNECTED) this.poke();
    });
    await this.read();
  }

  get current(): ChildrenSnapshot {
    return this.snapshot;
  }

  /** Reads the children again (soon). */
  poke(): void {
    if (this.closed) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    void this.read().catch((e: unknown) => {
      if (!this.closed) this.onError(e);
    });
  }

  /** A snapshot from a read that started after this call (so it shows every change made before it). */
  async fresh(signal: AbortSignal): Promise<ChildrenSnapshot> {
    const wanted = this.readsStarted + 1;
    this.poke();
    while (this.snapshotRead < wanted && !this.closed && !signal.aborted) {
      await this.nextChange(this.snapshot.version, undefined, signal);
    }
    return this.snapshot;
  }

  /**
   * The first snapshot newer than `version`: at once if there is one, else when the next read
   * completes; the current one after `maxWaitMs` (on `clock`'s timers), on abort, or on close.
   */
  nextChange(version: number, maxWaitMs: number | undefined, signal: AbortSignal, clock: Clock = WALL_CLOCK): Promise<ChildrenSnapshot> {
    if (this.snapshot.version !== version || this.closed || signal.aborted) return Promise.resolve(this.snapshot);
    return new Promise<ChildrenSnapshot>((resolve) => {
      const done = (): void => {
        sub.unsubscribe();
        if (timer !== undefined) clock.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve(this.snapshot);
      };
      const sub = this.changed.subscribe({ next: done, complete: done });
      const timer = maxWaitMs === undefined ? undefined : clock.setTimeout(done, Math.max(0, maxWaitMs));
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Stops following; waiters get the current snapshot; the child watch is removed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.states?.unsubscribe();
    this.changed.complete();
    if (this.framework.lifecycle !== 'started') return;
    const removal = this.framework.removeWatches(this.path, WatcherType.Any, { watcher: this.watcher, local: true }).catch(() => undefined);
    if (this.framework.isConnected) await removal;
  }

  private async read(): Promise<void> {
    this.reading = true;
    try {
      do {
        this.readAgain = false;
        const readNumber = ++this.readsStarted;
        let children: string[];
        try {
          children = await this.framework.getChildren(this.path, { watch: this.watcher });
        } catch (e) {
          if (!(e instanceof NoNodeError)) throw e;
          // The queue node was deleted: watch for it to come back.
          children = [];
          if ((await this.framework.exists(this.path, { watch: this.watcher })) !== null) this.readAgain = true;
        }
        if (this.closed) return;
        this.snapshot = { children, version: this.snapshot.version + 1 };
        this.snapshotRead = readNumber;
        this.changed.next();
      } while (this.readAgain && !this.closed);
    } finally {
      this.reading = false;
    }
  }
}
