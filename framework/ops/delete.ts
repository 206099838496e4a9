// delete with Curator's conveniences: deletingChildrenIfNeeded, quietly / idempotent (a missing
// node is success) and guaranteed (a delete that failed for connection reasons keeps being
// retried in the background until it is done). Counterpart: DeleteBuilderImpl.

import { NoNodeError, NotEmptyError } from '../../protocol/index.js';
import type { ZooKeeperClient } from '../client/zookeeper-client.js';
import { runOp, type OpContext } from '../core/op-context.js';
import { deleteTree } from './tree.js';

export interface DeleteOptions {
  /** Expected version; -1 (default) for any. */
  version?: number;
  /** On NotEmpty, delete the children (recursively) and then the node. */
  deletingChildrenIfNeeded?: boolean;
  /** A missing node is not an error. */
  quietly?: boolean;
  /** Same as quietly for deletes (Curator 5): succeeding once is enough, a retry finding nothing is fine. */
  idempotent?: boolean;
  /**
   * If the delete fails for a connection reason (the error is still thrown), keep retrying it in
   * the background — across reconnects and new sessions — until the node is gone.
   */
  guaranteed?: boolean;
}

export interface DeleteAttempt {
  readonly version: number;
  readonly quietly: boolean;
  readonly deletingChildrenIfNeeded: boolean;
}

/** One delete attempt on `client` (a ZooKeeper path). */
export async function deleteOnce(client: ZooKeeperClient, serverPath: string, attempt: DeleteAttempt): Promise<void> {
  try {
    await client.delete(serverPath, attempt.version);
  } catch (e) {
    if (e instanceof NoNodeError && attempt.quietly) return;
    if (e instanceof NotEmptyError && attempt.deletingChildrenIfNeeded) {
      await deleteTree(client, serverPath);
      return;
    }
    throw e;
  }
}

export async function deleteNode(ctx: OpContext, path: string, options: DeleteOptions = {}): Promise<void> {
  ctx.core.checkStarted();
  const serverPath = ctx.namespace.fix(path);
  const attempt: DeleteAttempt = {
    version: options.version ?? -1,
    quietly: options.quietly === true || options.idempotent === true,
    deletingChildrenIfNeeded: options.deletingChildrenIfNeeded === true,
  };
  const firstAttempt = (): Promise<void> => runOp(ctx, (client) => deleteOnce(client, serverPath, attempt));
  if (!options.guaranteed) return firstAttempt();
  // Listed in pendingGuaranteedDeletes from now until done (in the background if this attempt fails).
  return ctx.core.guaranteedDeletes.runFirstAttempt(serverPath, attempt, firstAttempt);
}
