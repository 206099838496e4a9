// create with Curator's conveniences: parents created on demand (plain or as containers),
// protection (see protection.ts), orSetData, idempotent, ACL from the provider, TTL and
// compression. Runs in the retry loop. Counterpart: CreateBuilderImpl.pathInForeground.

import {
  ConnectionLossError, CreateMode, createModeInfo, KeeperError, NodeExistsError, NoNodeError, BadArgumentsError,
  type ACL,
} from '../../protocol/index.js';
import type { Data } from '../client/multi-ops.js';
import type { ZooKeeperClient } from '../client/zookeeper-client.js';
import { aclFor } from '../core/acl-provider.js';
import { dataToWrite, runOp, sameData, type OpContext } from '../core/op-context.js';
import { createParentOf, findAndDeleteProtectedInBackground, ProtectedCreate, toProtectedPath } from './protection.js';
import { mkdirs } from './tree.js';

export interface CreateOptions {
  /** Default CreateMode.PERSISTENT. */
  mode?: CreateMode;
  /** Default: the ACL provider's ACL for the path. */
  acl?: readonly ACL[];
  /** Time to live of the TTL modes, in milliseconds. */
  ttlMs?: number;
  /** Create missing parents (persistent, empty, ACL from the provider). */
  creatingParentsIfNeeded?: boolean;
  /** Create missing parents as containers. */
  creatingParentContainersIfNeeded?: boolean;
  /** Protected name ("_c_<uuid>-name"): a create lost with the connection is found again instead of duplicated. */
  withProtection?: boolean;
  /** If the node exists, set its data instead (true: any version; `{ version }`: only at that version). */
  orSetData?: boolean | { version: number };
  /** If the node exists with exactly this data at version 0 (a lost create that succeeded), that is success. */
  idempotent?: boolean;
  /** Compress the data with the framework's compression provider. */
  compressed?: boolean;
}

export async function createNode(ctx: OpContext, path: string, data: Data | undefined, options: CreateOptions = {}): Promise<string> {
  ctx.core.checkStarted();
  const mode = options.mode ?? CreateMode.PERSISTENT;
  const info = createModeInfo(mode);
  if (!info) throw new BadArgumentsError(path, { cause: new Error(`unknown create mode ${String(mode)}`) });
  const provider = ctx.core.options.aclProvider;
  const protection = options.withProtection ? new ProtectedCreate(info.ephemeral) : undefined;
  const fixed = ctx.namespace.fix(path);
  const target = protection ? toProtectedPath(fixed, protection.id) : fixed;
  const bytes = dataToWrite(ctx, target, data === undefined ? ctx.core.options.defaultData : data, options.compressed);
  const request = { mode, acl: aclFor(provider, target, options.acl), ...(options.ttlMs !== undefined ? { ttl: options.ttlMs } : {}) };
  const parents = options.creatingParentsIfNeeded || options.creatingParentContainersIfNeeded;

  const createOnce = async (client: ZooKeeperClient): Promise<string> => {
    try {
      return (await client.create(target, bytes, request)).path;
    } catch (e) {
      if (!(e instanceof NoNodeError) || !parents) throw e;
      await mkdirs(client, target, {
        makeLastNode: false,
        asContainers: options.creatingParentContainersIfNeeded === true,
        aclFor: (p) => aclFor(provider, p),
      });
      return (await client.create(target, bytes, request)).path;
    }
  };

  let firstAttempt = true;
  try {
    const created = await runOp(ctx, async (client) => {
      const retrying = !firstAttempt;
      firstAttempt = false;
      if (protection) {
        protection.noteSession(client);
        if (retrying) {
          const found = await protection.find(client, target, (old) =>
            ctx.core.guaranteedDeletes.add(old, { version: -1, quietly: true, deletingChildrenIfNeeded: false }),
          );
          if (found !== undefined) return found;
        }
      }
      try {
        return await createOnce(client);
      } catch (e) {
        if (!(e instanceof NodeExistsError)) throw e;
        if (options.orSetData) {
          const version = typeof options.orSetData === 'object' ? options.orSetData.version : -1;
          await client.setData(target, bytes, version);
          return target;
        }
        if (options.idempotent) {
          const existing = await client.getData(target);
          if (existing.stat.version === 0 && sameData(existing.data, bytes)) return target;
        }
        throw e;
      }
    });
    return ctx.namespace.unfix(created);
  } catch (e) {
    if (protection && (e instanceof ConnectionLossError || !(e instanceof KeeperError))) {
      // We do not know whether the node was created: find it later and delete it.
      findAndDeleteProtectedInBackground(ctx.core, createParentOf(target), protection.id);
    }
    throw e;
  }
}
