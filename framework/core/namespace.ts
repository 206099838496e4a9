// A namespace: every path the application gives is prefixed with "/<namespace>" before it goes to
// ZooKeeper, and every path coming back has the prefix removed. The namespace node itself (and
// its parents) is created on first use, as containers, and creation is retried on later ops if it
// failed. Watchers given by the application are wrapped so their events carry namespace-free paths.
// Counterpart: org.apache.curator.framework.imps.NamespaceImpl, NamespaceWatcher, ZKPaths.fixForNamespace.

import { BadArgumentsError, pathProblem } from '../../protocol/index.js';
import type { Watcher, WatchedEvent } from '../client/events.js';

export class Namespace {
  /** "/ns" (undefined without a namespace). */
  readonly root: string | undefined;
  private readonly wrapped = new WeakMap<Watcher, Watcher>();
  private ensured: boolean;
  private ensuring: Promise<void> | undefined;

  constructor(readonly name: string | undefined, private readonly create: (root: string) => Promise<void>) {
    const ns = name === undefined || name === '' ? undefined : name;
    if (ns !== undefined) {
      const problem = pathProblem(`/${ns}`);
      if (problem !== undefined) throw new BadArgumentsError(`/${ns}`, { cause: new Error(`invalid namespace "${ns}": ${problem}`) });
    }
    this.name = ns;
    this.root = ns === undefined ? undefined : `/${ns}`;
    this.ensured = ns === undefined;
  }

  /** The ZooKeeper path for an application path ("/" is the namespace node itself). */
  fix(path: string): string {
    if (this.root === undefined) return path;
    return path === '/' ? this.root : this.root + path;
  }

  /** The application path for a ZooKeeper path; paths outside the namespace are returned unchanged. */
  unfix(path: string): string {
    const root = this.root;
    if (root === undefined) return path;
    if (path === root) return '/';
    return path.startsWith(`${root}/`) ? path.slice(root.length) : path;
  }

  /**
   * Creates the namespace node the first time (and again after a failed attempt); never rejects.
   * Undefined when there is nothing to wait for.
   */
  ensure(onError: (error: unknown) => void): Promise<void> | undefined {
    if (this.ensured || this.root === undefined) return undefined;
    this.ensuring ??= this.create(this.root).then(
      () => {
        this.ensured = true;
        this.ensuring = undefined;
      },
      (e: unknown) => {
        this.ensuring = undefined;
        onError(e);
      },
    );
    return this.ensuring;
  }

  /** `watcher`, receiving events with namespace-free paths (the same wrapper every time, so removal works). */
  wrap(watcher: Watcher): Watcher {
    if (this.root === undefined) return watcher;
    let w = this.wrapped.get(watcher);
    if (!w) {
      w = (event: WatchedEvent) => watcher({ ...event, path: this.unfix(event.path) });
      this.wrapped.set(watcher, w);
    }
    return w;
  }

  /** The wrapper made for `watcher`, if any (for removing it). */
  wrapperOf(watcher: Watcher): Watcher | undefined {
    return this.root === undefined ? watcher : this.wrapped.get(watcher);
  }
}
