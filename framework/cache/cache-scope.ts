// Which nodes a cache covers: its root, how deep below it (maxDepth), and a selector deciding
// which nodes are cached and which have their children fetched. Pure path arithmetic.
// Counterpart: Curator's TreeCache maxDepth and TreeCacheSelector.

import { parentOf } from '../../protocol/index.js';

export interface CacheSelector {
  /** Fetch (and watch) this cached node's children? Default: yes. */
  traverseChildren?(path: string): boolean;
  /** Cache this node (a child of a traversed node)? Default: yes. The root is always cached. */
  acceptChild?(path: string): boolean;
}

export class CacheScope {
  private readonly prefix: string;

  constructor(
    readonly root: string,
    /** 0 = the root alone, 1 = the root and its children, ... */
    readonly maxDepth: number,
    private readonly selector: CacheSelector = {},
  ) {
    if (!(maxDepth >= 0)) throw new RangeError(`maxDepth must be >= 0, got ${maxDepth}`);
    this.prefix = root === '/' ? '/' : `${root}/`;
  }

  /** The root or below it. */
  contains(path: string): boolean {
    return path === this.root || path.startsWith(this.prefix);
  }

  /** Levels below the root (the root is 0); -1 outside the cache. */
  depth(path: string): number {
    if (path === this.root) return 0;
    if (!path.startsWith(this.prefix)) return -1;
    let n = 1;
    for (let i = this.prefix.length; i < path.length; i++) if (path.charCodeAt(i) === 0x2f) n++;
    return n;
  }

  /** Whether a node at `path` may be cached (given its parent is). */
  accepts(path: string): boolean {
    if (path === this.root) return true;
    const d = this.depth(path);
    return d > 0 && d <= this.maxDepth && (this.selector.acceptChild?.(path) ?? true);
  }

  /** Whether a cached node's children are fetched. */
  traverses(path: string): boolean {
    const d = this.depth(path);
    return d >= 0 && d < this.maxDepth && (this.selector.traverseChildren?.(path) ?? true);
  }

  /** Whether an event on `path` concerns the cache: accepted, and its parent traversed. */
  covers(path: string): boolean {
    return path === this.root || (this.accepts(path) && this.traverses(parentOf(path)));
  }
}
