// Where a semaphore can take its maxLeases from instead of a fixed number: a shared counter every
// process reads, so all agree. The node holds Curator's SharedCount format (a 4-byte big-endian
// int). The counters recipe's SharedCount can be passed as a SharedCountReader; CountNodeReader
// is the small reader the semaphore needs when only the node is at hand: it creates the node
// with a seed if missing, reads it with a data watch, re-reads on every change and after a
// reconnect (a new session has no watch). Counterpart: SharedCountReader, and the reading half
// of Curator's SharedValue/SharedCount.

import { BehaviorSubject, distinctUntilChanged, skip, type Observable, type Subscription } from 'rxjs';
import {
  ConnectionState, EventType, NodeExistsError, NoNodeError, WatcherType, type Watcher, type ZooKeeperFramework,
} from '../../framework/index.js';
import { validatePath } from '../internal/index.js';

export interface SharedCountReader {
  /** The current count. */
  readonly count: number;
  /** Each new count (not the current one). */
  readonly count$: Observable<number>;
}

/** Curator's SharedCount bytes for `value`. */
export function sharedCountBytes(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
}

/** The count in SharedCount bytes; undefined unless exactly 4 bytes. */
export function parseSharedCount(data: Buffer | null): number | undefined {
  return data !== null && data.length === 4 ? data.readInt32BE(0) : undefined;
}

export interface CountNodeReaderOptions {
  /** Created with this value if the node does not exist (as SharedCount.start). Default 0. */
  readonly seed?: number;
  /** Failures of background re-reads and malformed data. Default: process.emitWarning. */
  readonly onError?: (error: unknown) => void;
}

export class CountNodeReader implements SharedCountReader {
  private readonly value: BehaviorSubject<number>;
  private closed = false;
  private readonly states: Subscription;
  private readonly onError: (error: unknown) => void;
  private readonly watcher: Watcher = (event) => {
    if (event.type !== EventType.None) void this.refresh();
  };

  /** Creates the node if missing, reads it, and keeps reading it until close(). */
  static async start(framework: ZooKeeperFramework, path: string, options: CountNodeReaderOptions = {}): Promise<CountNodeReader> {
    validatePath(path);
    try {
      await framework.create(path, sharedCountBytes(options.seed ?? 0), { creatingParentContainersIfNeeded: true });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
    const first = await readCount(framework, path, undefined);
    if (first === undefined) throw new RangeError(`${path} does not hold a SharedCount (4-byte big-endian int)`);
    return new CountNodeReader(framework, path, first, options);
  }

  private constructor(
    private readonly framework: ZooKeeperFramework,
    readonly path: string,
    first: number,
    options: CountNodeReaderOptions,
  ) {
    this.value = new BehaviorSubject(first);
    this.onError = options.onError ?? ((e) => process.emitWarning(`zabkit recipes: reading the count at ${path} failed: ${String(e)}`));
    this.states = framework.connectionState$.subscribe((s) => {
      if (s === ConnectionState.RECONNECTED) void this.refresh();
    });
    void this.refresh(); // sets the watch
  }

  get count(): number {
    return this.value.value;
  }

  get count$(): Observable<number> {
    return this.value.pipe(skip(1), distinctUntilChanged());
  }

  /** Stops reading; count$ completes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.states.unsubscribe();
    this.value.complete();
    if (this.framework.lifecycle === 'started') {
      this.framework.removeWatches(this.path, WatcherType.Data, { watcher: this.watcher, local: true }).catch(() => undefined);
    }
  }

  private async refresh(): Promise<void> {
    if (this.closed) return;
    try {
      const next = await readCount(this.framework, this.path, this.watcher);
      if (this.closed) return;
      if (next === undefined) this.onError(new RangeError(`${this.path} does not hold a SharedCount (4-byte big-endian int); keeping ${this.count}`));
      else this.value.next(next);
    } catch (e) {
      if (!this.closed) this.onError(e);
    }
  }
}

async function readCount(framework: ZooKeeperFramework, path: string, watcher: Watcher | undefined): Promise<number | undefined> {
  try {
    const { data } = await framework.getData(path, watcher ? { watch: watcher } : {});
    return parseSharedCount(data);
  } catch (e) {
    if (e instanceof NoNodeError) {
      // Deleted: watch for its return.
      if (watcher) await framework.exists(path, { watch: watcher });
      return undefined;
    }
    throw e;
  }
}
