// DistributedBarrier: ZooKeeper's barrier recipe. The barrier is up while its node exists;
// setBarrier() creates it (parents as containers), removeBarrier() deletes it, and
// waitOnBarrier() blocks until the node is gone — watching it with exists(), and checking again
// after every wake-up (a watch event, a reconnect, a new session). Any client may set or remove
// the barrier; nothing about it is tied to a session. Counterpart: Curator's
// org.apache.curator.framework.recipes.barriers.DistributedBarrier (same node, same semantics:
// setting an existing barrier and removing a missing one are no-ops).

import { NodeExistsError, NoNodeError, WatcherType, type ZooKeeperFramework } from '../../framework/index.js';
import { BarrierTimeoutError } from '../errors.js';
import { validatePath } from '../internal/index.js';
import { checkStarted, WatchWait, type WaitOptions } from './watch-wait.js';

export class DistributedBarrier {
  readonly path: string;

  constructor(
    private readonly framework: ZooKeeperFramework,
    barrierPath: string,
  ) {
    this.path = validatePath(barrierPath);
  }

  /** Puts the barrier up (creates its node, parents as containers). Already up: nothing happens. */
  async setBarrier(): Promise<void> {
    checkStarted(this.framework);
    try {
      await this.framework.create(this.path, undefined, { creatingParentContainersIfNeeded: true });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
  }

  /** Takes the barrier down (deletes its node), releasing every waiter. Already down: nothing happens. */
  async removeBarrier(): Promise<void> {
    checkStarted(this.framework);
    try {
      await this.framework.delete(this.path);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  /** Whether the barrier is up right now (its node exists). */
  async isSet(): Promise<boolean> {
    checkStarted(this.framework);
    return (await this.framework.exists(this.path)) !== null;
  }

  /**
   * Resolves once the barrier is down (at once if it is not up). Rejects with BarrierTimeoutError
   * after `timeoutMs`, with the signal's reason on abort, with ClientClosedError if the framework
   * closes. The watch it set is removed either way.
   */
  async waitOnBarrier(options: WaitOptions = {}): Promise<void> {
    const wait = new WatchWait(this.framework, options, (ms) => new BarrierTimeoutError(this.path, ms, 'removal'));
    try {
      for (;;) {
        wait.beginCheck();
        wait.watching(this.path, WatcherType.Data);
        const stat = await wait.race(this.framework.exists(this.path, { watch: wait.watcher }));
        if (stat === null) return;
        await wait.sleep();
      }
    } finally {
      await wait.dispose();
    }
  }
}
