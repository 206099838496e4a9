// A LeaderLatch participant's own node in line: a protected EPHEMERAL_SEQUENTIAL node
// "<path>/_c_<uuid>-latch-<seq>" holding the participant's id (parents created as containers),
// and giving it up. A node given up is deleted BEFORE a fresh one is created, so one participant
// never has two nodes in line (it would wait behind itself, and getParticipants would list it
// twice). If that delete fails for a reason other than the connection (e.g. NoAuth) the node is
// kept as given up and its delete is tried again first, the next time. When the server cannot be
// reached the delete goes on as a guaranteed delete, retried in the background and listed in the
// framework's pendingGuaranteedDeletes.
// Counterpart: LeaderLatch.setNode / reset in Curator (a guaranteed delete of the old node, sent
// ahead of the new node's create on the same session).

import { CreateMode, type ZooKeeperFramework } from '../../framework/index.js';
import { deleteOwnNode, makePath } from '../internal/index.js';

/** The contender nodes' base name, as Curator's. */
export const LATCH_LOCK_NAME = 'latch-';

export class LatchNode {
  private currentPath: string | undefined;
  /** A node given up whose delete has not succeeded yet. */
  private givenUp: string | undefined;

  constructor(
    private readonly framework: ZooKeeperFramework,
    private readonly latchPath: string,
    private readonly idBytes: Buffer,
  ) {}

  /** The node this participant stands in line with, undefined while it has none. */
  get current(): string | undefined {
    return this.currentPath;
  }

  /**
   * Gives up the current node (current is undefined at once) and deletes it, together with one
   * given up earlier whose delete failed. Resolves once it is gone, or once its delete was left
   * to the background because the server cannot be reached. Rejects on any other failure; the
   * node is then kept as given up for the next call.
   */
  async giveUp(): Promise<void> {
    if (this.currentPath !== undefined) {
      this.givenUp = this.currentPath;
      this.currentPath = undefined;
    }
    const path = this.givenUp;
    if (path === undefined) return;
    await deleteOwnNode(this.framework, path);
    if (this.givenUp === path) this.givenUp = undefined;
  }

  /** Creates a fresh node (it becomes current). Only after giveUp() succeeded: never two nodes at once. */
  async create(): Promise<string> {
    if (this.currentPath !== undefined || this.givenUp !== undefined) {
      throw new Error(`LeaderLatch ${this.latchPath}: a fresh node while ${this.currentPath ?? this.givenUp} is still ours`);
    }
    const created = await this.framework.create(makePath(this.latchPath, LATCH_LOCK_NAME), this.idBytes, {
      mode: CreateMode.EPHEMERAL_SEQUENTIAL,
      withProtection: true,
      creatingParentContainersIfNeeded: true,
    });
    this.currentPath = created;
    return created;
  }
}
