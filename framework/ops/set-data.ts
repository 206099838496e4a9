// setData with Curator 5's idempotent mode (a BadVersion on a retry is success when the node holds
// exactly our data at the version our write would have produced) and compression.
// Counterpart: SetDataBuilderImpl.pathInForeground.

import { BadVersionError, type Stat } from '../../protocol/index.js';
import type { Data } from '../client/multi-ops.js';
import { dataToWrite, runOp, sameData, type OpContext } from '../core/op-context.js';

export interface SetDataOptions {
  /** Expected version; -1 (default) for any. */
  version?: number;
  /** A BadVersion whose cause is our own earlier, lost, successful write is success. */
  idempotent?: boolean;
  /** Compress the data with the framework's compression provider. */
  compressed?: boolean;
}

export async function setNodeData(ctx: OpContext, path: string, data: Data, options: SetDataOptions = {}): Promise<Stat> {
  ctx.core.checkStarted();
  const serverPath = ctx.namespace.fix(path);
  const bytes = dataToWrite(ctx, serverPath, data, options.compressed);
  const version = options.version ?? -1;
  return runOp(ctx, async (client) => {
    try {
      return await client.setData(serverPath, bytes, version);
    } catch (e) {
      if (!(e instanceof BadVersionError) || !options.idempotent) throw e;
      const current = await client.getData(serverPath);
      if ((version === -1 || version + 1 === current.stat.version) && sameData(current.data, bytes)) return current.stat;
      throw e;
    }
  });
}
