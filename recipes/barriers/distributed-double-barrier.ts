// DistributedDoubleBarrier: ZooKeeper's double-barrier recipe, with Curator's layout and
// algorithm, so Java members using Curator can share a barrier with zabkit members:
//
//   <barrierPath>                 container (created with the first member)
//     <uuid>                      EPHEMERAL, one per member that entered (a random UUID name)
//     ready                       PERSISTENT, created by the member that saw memberQty members
//
// enter(): look for `ready` (exists, with a watch); create our member node; if `ready` was there
// we are through. Otherwise check, and after EVERY wake-up check again: `ready` exists (watch
// re-armed), or at least memberQty members are present — then create `ready` (waking everyone
// watching it) and go through. A wake-up proves nothing by itself: a watch that fires for an
// unrelated change (ready created and deleted again, a reconnect, a new session) only leads to
// another check. Curator's GH-1290 was exactly such a bypass.
// leave(): delete our node and wait until every member node is gone (the lowest member waits for
// the highest, the others for the lowest, as in Curator); the last one out deletes `ready`.
// memberQty is a threshold, not a limit: more members may enter. Counterpart:
// org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier.

import { randomUUID } from 'node:crypto';
import { CreateMode, NodeExistsError, NoNodeError, WatcherType, type ZooKeeperFramework } from '../../framework/index.js';
import { BarrierMembershipLostError, BarrierTimeoutError } from '../errors.js';
import { makePath, validatePath } from '../internal/index.js';
import { WatchWait, type WaitOptions } from './watch-wait.js';

/** The name of the node that opens the barrier (Curator's READY_NODE). */
export const READY_NODE = 'ready';

export interface DistributedDoubleBarrierOptions {
  /** This member's node name. Default: a random UUID, as Curator. Must not be "ready". */
  readonly memberName?: string;
  /** The member node's data. Default: the framework's default data. */
  readonly memberData?: Buffer;
}

type Phase = 'outside' | 'entering' | 'inside' | 'leaving';

export class DistributedDoubleBarrier {
  readonly path: string;
  readonly memberQty: number;
  /** This member's node path (namespace-free). */
  readonly memberPath: string;
  readonly readyPath: string;
  private readonly memberName: string;
  private readonly memberData: Buffer | undefined;
  private phase: Phase = 'outside';

  constructor(
    private readonly framework: ZooKeeperFramework,
    barrierPath: string,
    memberQty: number,
    options: DistributedDoubleBarrierOptions = {},
  ) {
    if (!Number.isInteger(memberQty) || memberQty < 1) throw new RangeError(`memberQty must be an integer >= 1, got ${memberQty}`);
    this.path = validatePath(barrierPath);
    this.memberQty = memberQty;
    this.memberName = options.memberName ?? randomUUID();
    if (this.memberName === READY_NODE) throw new RangeError(`a member cannot be named "${READY_NODE}"`);
    this.memberPath = validatePath(makePath(this.path, this.memberName));
    this.readyPath = makePath(this.path, READY_NODE);
    this.memberData = options.memberData;
  }

  /** True between a successful enter() and the start of leave(). */
  get isInside(): boolean {
    return this.phase === 'inside';
  }

  /**
   * Joins the barrier and resolves once it is open (memberQty members have entered). On timeout
   * (BarrierTimeoutError), abort or close this member's node is deleted again; if the session is
   * lost while waiting the node is gone and enter() rejects with BarrierMembershipLostError.
   */
  async enter(options: WaitOptions = {}): Promise<void> {
    this.begin('outside', 'entering', 'enter');
    const wait = new WatchWait(this.framework, options, (ms) => new BarrierTimeoutError(this.path, ms, 'enter'));
    let created = false;
    try {
      wait.watching(this.readyPath, WatcherType.Data);
      const readyAtStart = await wait.race(this.framework.exists(this.readyPath, { watch: wait.watcher }));
      await wait.race(this.createMemberNode());
      created = true;
      if (readyAtStart === null) await this.waitUntilOpen(wait);
      this.phase = 'inside';
    } catch (e) {
      this.phase = 'outside';
      if (created) await this.deleteMemberNode().catch(() => undefined);
      throw e;
    } finally {
      await wait.dispose();
    }
  }

  /**
   * Leaves the barrier: deletes this member's node and resolves once every member has left (the
   * last one deletes `ready`). On timeout (BarrierTimeoutError), abort or close this member's node
   * is gone all the same and the others go on waiting for whoever is still inside.
   */
  async leave(options: WaitOptions = {}): Promise<void> {
    this.begin('inside', 'leaving', 'leave');
    const wait = new WatchWait(this.framework, options, (ms) => new BarrierTimeoutError(this.path, ms, 'leave'));
    let ours = true;
    try {
      ours = await this.waitUntilAllLeft(wait);
      await this.deleteReadyNode();
    } finally {
      this.phase = 'outside';
      await wait.dispose();
      if (ours) await this.deleteMemberNode().catch(() => undefined);
    }
  }

  /** The member nodes present now (names, sorted), `ready` excluded. */
  async members(): Promise<string[]> {
    try {
      return memberNames(await this.framework.getChildren(this.path));
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  private begin(from: Phase, to: Phase, what: string): void {
    if (this.phase !== from) {
      throw new Error(`DistributedDoubleBarrier ${this.path}: cannot ${what} while ${this.phase} (enter, then leave, one at a time)`);
    }
    this.phase = to;
  }

  private async waitUntilOpen(wait: WatchWait): Promise<void> {
    for (;;) {
      wait.beginCheck();
      // The real condition, every time: ready exists (watch re-armed) ...
      const ready = await wait.race(this.framework.exists(this.readyPath, { watch: wait.watcher }));
      if (ready !== null) return;
      // ... or enough members are here (then we open it).
      const members = memberNames(await wait.race(this.framework.getChildren(this.path)));
      if (!members.includes(this.memberName)) throw new BarrierMembershipLostError(this.path, this.memberPath);
      if (members.length >= this.memberQty) {
        await wait.race(this.createReadyNode());
        return;
      }
      await wait.sleep();
    }
  }

  /** Curator's internalLeave. Resolves to whether our node may still exist (for the cleanup). */
  private async waitUntilAllLeft(wait: WatchWait): Promise<boolean> {
    let ourNodeShouldExist = true;
    for (;;) {
      wait.beginCheck();
      let children: string[];
      try {
        children = await wait.race(this.framework.getChildren(this.path));
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        children = [];
      }
      const members = memberNames(children);
      if (members.length === 0) return false;
      const ourIndex = members.indexOf(this.memberName);
      // Our node vanished (session lost): we are out; wait for the others all the same.
      if (ourIndex < 0) ourNodeShouldExist = false;
      if (members.length === 1 && ourIndex === 0) {
        await wait.race(this.deleteMemberNode());
        return false;
      }
      let watchTarget: string;
      if (ourIndex === 0) {
        // The lowest member leaves last: wait for the highest to go.
        watchTarget = makePath(this.path, members[members.length - 1]!);
      } else {
        watchTarget = makePath(this.path, members[0]!);
        if (ourNodeShouldExist) {
          await wait.race(this.deleteMemberNode());
          ourNodeShouldExist = false;
        }
      }
      wait.watching(watchTarget, WatcherType.Data);
      const stat = await wait.race(this.framework.exists(watchTarget, { watch: wait.watcher }));
      if (stat !== null) await wait.sleep();
    }
  }

  /** Creates our ephemeral member node; a NodeExists on a retry after a lost reply is fine if the node is our session's. */
  private async createMemberNode(): Promise<void> {
    try {
      await this.framework.create(this.memberPath, this.memberData, {
        mode: CreateMode.EPHEMERAL,
        creatingParentContainersIfNeeded: true,
      });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
      const stat = await this.framework.exists(this.memberPath);
      if (stat === null || stat.ephemeralOwner !== this.framework.client.sessionId) throw e;
    }
  }

  private async deleteMemberNode(): Promise<void> {
    if (this.framework.lifecycle !== 'started') return;
    await this.framework.delete(this.memberPath, { quietly: true });
  }

  private async createReadyNode(): Promise<void> {
    try {
      await this.framework.create(this.readyPath);
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
  }

  private async deleteReadyNode(): Promise<void> {
    await this.framework.delete(this.readyPath, { quietly: true });
  }
}

function memberNames(children: readonly string[]): string[] {
  return children.filter((name) => name !== READY_NODE).sort();
}
