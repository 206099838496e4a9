// Creating every missing node on a path, and deleting a node with everything below it.
// Counterpart: org.apache.curator.utils.ZKPaths.mkdirs and deleteChildren.

import { CreateMode, NodeExistsError, NoNodeError, NotEmptyError, type ACL } from '../../protocol/index.js';
import type { ZooKeeperClient } from '../client/zookeeper-client.js';

export interface MkdirsOptions {
  /** Create `path` itself too (else only its ancestors). */
  readonly makeLastNode: boolean;
  /** Create the nodes as containers (removed by the server once their last child is gone). */
  readonly asContainers: boolean;
  /** The ACL for each created node. */
  readonly aclFor: (path: string) => readonly ACL[];
}

/**
 * Creates the missing nodes on `path` with empty data. Looks for the deepest existing ancestor
 * first (so no read access on the upper nodes is needed), then creates downwards; a node someone
 * else created meanwhile is fine.
 */
export async function mkdirs(client: ZooKeeperClient, path: string, options: MkdirsOptions): Promise<void> {
  let pos = path.length;
  do {
    if ((await client.exists(path.slice(0, pos))) !== null) break;
    pos = path.lastIndexOf('/', pos - 1);
  } while (pos > 0);
  const mode = options.asContainers ? CreateMode.CONTAINER : CreateMode.PERSISTENT;
  while (pos < path.length) {
    let next = path.indexOf('/', pos + 1);
    if (next === -1) {
      if (!options.makeLastNode) break;
      next = path.length;
    }
    pos = next;
    const sub = path.slice(0, pos);
    try {
      await client.create(sub, Buffer.alloc(0), { mode, acl: options.aclFor(sub) });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
  }
}

/** Deletes `path` and everything below it; nodes already gone are fine, children added meanwhile are deleted too. */
export async function deleteTree(client: ZooKeeperClient, path: string): Promise<void> {
  let children: string[];
  try {
    children = (await client.getChildren(path)).children;
  } catch (e) {
    if (e instanceof NoNodeError) return;
    throw e;
  }
  for (const child of children) await deleteTree(client, path === '/' ? `/${child}` : `${path}/${child}`);
  try {
    await client.delete(path, -1);
  } catch (e) {
    if (e instanceof NotEmptyError) await deleteTree(client, path);
    else if (!(e instanceof NoNodeError)) throw e;
  }
}
