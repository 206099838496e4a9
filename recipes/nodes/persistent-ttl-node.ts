// PersistentTtlNode: a PERSISTENT_WITH_TTL node kept alive by a child ("touch", itself a TTL
// node) that is set every ttl / touchScheduleFactor. While the process runs, the parent always has
// a child and ZooKeeper never reaps it, and its watchers see no keep-alive traffic (only the child
// changes); once the process stops touching, the child expires after the TTL and then the empty
// parent. close() stops touching and leaves both to the TTL. The server must have TTL nodes
// enabled (extendedTypesEnabled). Counterpart: Curator's PersistentTtlNode.

import { CreateMode, NoNodeError, isRetryableError, ClientClosedError, type ZooKeeperFramework } from '../../framework/index.js';
import { joinPath } from '../../protocol/index.js';
import { toBytes, type NodeBytes } from './node-bytes.js';
import { PersistentNode } from './persistent-node.js';

export interface PersistentTtlNodeOptions {
  /** The parent node's data. Default: empty. */
  readonly data?: NodeBytes;
  /** The keep-alive child's name. Default "touch", as Curator. */
  readonly childNodeName?: string;
  /** The child is touched every ttlMs / touchScheduleFactor. Default 2. */
  readonly touchScheduleFactor?: number;
  /** Create missing parents as containers. Default true. */
  readonly useParentCreation?: boolean;
  /** Receives failures other than connection problems. Default: process.emitWarning. */
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_TOUCH_CHILD_NAME = 'touch';
export const DEFAULT_TOUCH_SCHEDULE_FACTOR = 2;

/** A PersistentNode that does not delete its node on close: the TTL does. */
class TtlKeptNode extends PersistentNode {
  protected override async deleteOnClose(): Promise<void> {}
}

export class PersistentTtlNode {
  /** The keep-alive child's path. */
  readonly childPath: string;
  private readonly node: PersistentNode;
  private readonly touchEveryMs: number;
  private readonly onError: (error: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  private touching: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly framework: ZooKeeperFramework,
    readonly path: string,
    readonly ttlMs: number,
    options: PersistentTtlNodeOptions = {},
  ) {
    if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${ttlMs}`);
    const factor = options.touchScheduleFactor ?? DEFAULT_TOUCH_SCHEDULE_FACTOR;
    if (!(factor >= 1)) throw new RangeError(`touchScheduleFactor must be >= 1, got ${factor}`);
    this.onError = options.onError ?? ((e) => process.emitWarning(`zabkit PersistentTtlNode ${path}: ${String(e)}`));
    this.node = new TtlKeptNode(framework, path, {
      mode: CreateMode.PERSISTENT_WITH_TTL,
      ttlMs,
      data: toBytes(options.data),
      useParentCreation: options.useParentCreation ?? true,
      onError: this.onError,
    });
    this.childPath = joinPath(path, options.childNodeName ?? DEFAULT_TOUCH_CHILD_NAME);
    this.touchEveryMs = ttlMs / factor;
  }

  /** Starts creating the node and touching its child every ttlMs / touchScheduleFactor. */
  start(): void {
    this.node.start();
    this.schedule();
  }

  /** See PersistentNode.waitForInitialCreate. */
  waitForInitialCreate(timeoutMs: number): Promise<boolean> {
    return this.node.waitForInitialCreate(timeoutMs);
  }

  /** See PersistentNode.setData. */
  setData(data: NodeBytes): Promise<void> {
    return this.node.setData(data);
  }

  get data(): Buffer {
    return this.node.data;
  }

  /** Stops touching and keeping the node. Neither it nor its child is deleted: without another PersistentTtlNode on the path, the TTL reaps them. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.touching;
    await this.node.close();
  }

  /** Sets the child (creating it as a TTL node if it is missing). Exposed for tests; runs on its own schedule. */
  async touch(): Promise<void> {
    try {
      try {
        await this.framework.setData(this.childPath, null);
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        await this.framework.create(this.childPath, null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: this.ttlMs, orSetData: true });
      }
    } catch (e) {
      // The parent is gone (the PersistentNode re-creates it) or the connection is: the next touch tries again.
      if (e instanceof NoNodeError || isRetryableError(e) || e instanceof ClientClosedError) return;
      this.onError(e);
    }
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.touching = this.touch().finally(() => {
        this.touching = undefined;
        this.schedule();
      });
    }, this.touchEveryMs);
    this.timer.unref();
  }
}
