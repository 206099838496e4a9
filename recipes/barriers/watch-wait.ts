// One blocking wait of a barrier or queue: "check a condition in ZooKeeper, set a watch while
// checking, and if the condition does not hold, sleep until the watch fires or the connection
// changes — then check again". Every wake-up leads to a fresh check: a wake-up is only ever a hint,
// never a verdict (no bypass on spurious wake-ups). Timeout, AbortSignal and framework close stop
// the wait; watches it set are removed when it ends. LOST / RECONNECTED wake it too, because a
// new session has none of the old session's watches. Counterpart: the synchronized
// wait()/notifyAll() loops of Curator's DistributedBarrier, DistributedDoubleBarrier and
// SimpleDistributedQueue.

import {
  ClientClosedError, ConnectionState, WatcherType, type Watcher, type ZooKeeperFramework,
} from '../../framework/index.js';
import type { Subscription } from 'rxjs';
import { AttemptStop, Wakeup } from '../internal/index.js';

export interface WaitOptions {
  /**
   * Give up after this many milliseconds (a finite number >= 0). The condition is always checked
   * once first, so a wait whose condition already holds succeeds even with 0. Default: no limit.
   */
  readonly timeoutMs?: number;
  /** Aborting rejects the wait with `signal.reason`. */
  readonly signal?: AbortSignal;
}

export class WatchWait {
  /** Pass to every read that must wake this wait. */
  readonly watcher: Watcher;
  private readonly stop: AttemptStop;
  private readonly wake = new Wakeup();
  private readonly states: Subscription;
  private readonly watched = new Map<string, WatcherType>();
  /** Reads raced by this wait that have not settled: a stop can overtake one whose watch is still being set. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private disposed = false;

  /** Throws at once if the framework is not started or the signal already aborted. */
  constructor(
    private readonly framework: ZooKeeperFramework,
    options: WaitOptions,
    makeTimeoutError: (timeoutMs: number) => Error,
  ) {
    checkStarted(framework);
    this.stop = new AttemptStop(options, makeTimeoutError);
    this.watcher = () => this.wake.ring();
    this.states = framework.connectionState$.subscribe({
      next: (s) => {
        if (s === ConnectionState.LOST || s === ConnectionState.RECONNECTED || s === ConnectionState.CONNECTED) this.wake.ring();
      },
      complete: () => this.stop.abort(new ClientClosedError('the ZooKeeper framework was closed while waiting')),
    });
    this.stop.check();
  }

  /** Stopped by timeout, abort or close. */
  get stopped(): boolean {
    return this.stop.stopped;
  }

  /** Call before a round of checks: a wake-up that came before it is about the old state. */
  beginCheck(): void {
    checkStarted(this.framework);
    this.wake.reset();
  }

  /** `promise`, or the stop reason as soon as the wait stops. */
  race<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const settled = (): void => void this.inFlight.delete(promise);
    promise.then(settled, settled);
    return this.stop.race(promise);
  }

  /**
   * Notes a watch set with `this.watcher` on `path`, so dispose() removes it. Call it before the
   * watching read is sent: a stop may overtake the read's reply. Noted after dispose (by a read
   * that outlived the wait), the watch is removed at once.
   */
  watching(path: string, type: typeof WatcherType.Data | typeof WatcherType.Children): void {
    if (this.disposed) {
      void this.removeWatch(path, type);
      return;
    }
    this.watched.set(`${type}:${path}`, type);
  }

  /** The condition did not hold: sleep until a watch fires or the connection changes (throws once stopped). */
  async sleep(): Promise<void> {
    this.stop.markJudged();
    this.stop.check();
    await this.stop.race(this.wake.wait());
  }

  /** Wakes the wait now (e.g. a local change of what it waits for). */
  ring(): void {
    this.wake.ring();
  }

  /**
   * Ends the wait: no more stop listeners, and every watch it set is removed. While connected the
   * removal is awaited (so no watch is left when the wait settles); otherwise it is removed locally
   * in the background.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.states.unsubscribe();
    this.stop.dispose();
    const watched = [...this.watched].map(([key, type]) => [key.slice(key.indexOf(':') + 1), type] as const);
    this.watched.clear();
    const removeAll = (): Promise<unknown> => Promise.all(watched.map(([path, type]) => this.removeWatch(path, type)));
    // A read the stop overtook may still register its watch when its reply arrives: remove again then.
    if (this.inFlight.size > 0) void Promise.allSettled([...this.inFlight]).then(removeAll);
    const removals = removeAll();
    if (this.framework.isConnected) await removals;
  }

  private removeWatch(path: string, type: WatcherType): Promise<void> {
    if (this.framework.lifecycle !== 'started') return Promise.resolve();
    return this.framework.removeWatches(path, type, { watcher: this.watcher, local: true }).catch(() => undefined);
  }
}

/** Throws ClientClosedError after close, and a plain Error before start (as the framework's own ops). */
export function checkStarted(framework: ZooKeeperFramework): void {
  if (framework.lifecycle === 'stopped') throw new ClientClosedError('the ZooKeeper framework is closed');
  if (framework.lifecycle === 'latent') throw new Error('the ZooKeeper framework has not been started (call start())');
}
