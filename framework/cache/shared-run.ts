// The refcounting behind every cache's observables: the first subscriber starts a run (reads,
// watches), later ones join it and first receive what is cached as `added` events (then
// `initialized` if it is), and the last unsubscribe stops it, removing its watches from the
// server. Subscribing again starts afresh. Counterpart: Curator's cache start() / close().

import { Observable, Subject } from 'rxjs';
import type { CacheEvent } from './child-data.js';
import type { CacheSource } from './cache-source.js';
import { TreeSync, type TreeSyncOptions } from './tree-sync.js';

interface Run {
  readonly sync: TreeSync;
  readonly events: Subject<CacheEvent>;
}

export class SharedRun {
  readonly events$: Observable<CacheEvent>;
  private active: Run | undefined;
  private subscribers = 0;
  private stopping: Promise<void> = Promise.resolve();

  constructor(source: CacheSource, options: TreeSyncOptions) {
    this.events$ = new Observable<CacheEvent>((subscriber) => {
      let run = this.active;
      const fresh = run === undefined;
      if (run === undefined) {
        const events = new Subject<CacheEvent>();
        run = { sync: new TreeSync(source, options, (e) => events.next(e), () => events.complete()), events };
        this.active = run;
      } else {
        for (const node of run.sync.snapshot()) subscriber.next({ type: 'added', ...node });
        if (run.sync.isInitialized) subscriber.next({ type: 'initialized' });
      }
      this.subscribers++;
      const own = run;
      const sub = own.events.subscribe(subscriber);
      if (fresh) own.sync.start();
      return () => {
        sub.unsubscribe();
        if (--this.subscribers > 0 || this.active !== own) return;
        this.active = undefined;
        this.stopping = own.sync.stop();
      };
    });
  }

  /** The running cache, while anyone is subscribed. */
  get current(): TreeSync | undefined {
    return this.active?.sync;
  }

  /** Resolves when the last stop has removed its watches. */
  whenStopped(): Promise<void> {
    return this.stopping;
  }
}
