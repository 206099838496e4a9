// What an operation needs from the framework view it runs in: the shared core (session, retry
// loop, options) and the view's namespace. Small helpers every op uses live here too.

import { toBuffer, type Data } from '../client/multi-ops.js';
import type { ZooKeeperClient } from '../client/zookeeper-client.js';
import type { FrameworkCore } from './framework-core.js';
import type { Namespace } from './namespace.js';

export interface OpContext {
  readonly core: FrameworkCore;
  readonly namespace: Namespace;
}

/** Creates the namespace node if that has not happened yet (failures are reported, not thrown, as Curator). */
export function ensureNamespace(ctx: OpContext): Promise<void> | undefined {
  return ctx.namespace.ensure((e) => ctx.core.reportBackgroundError(e, `creating the namespace node ${ctx.namespace.root}`));
}

/**
 * Runs one operation of this view in the retry loop, the namespace node being created first if
 * needed. Everything an op does before calling this must be synchronous (call order = send order).
 */
export function runOp<T>(ctx: OpContext, operation: (client: ZooKeeperClient) => Promise<T>): Promise<T> {
  return ctx.core.withRetry(operation, () => ensureNamespace(ctx));
}

/** Whether an op compresses / decompresses: its own flag, else the framework default. */
export function isCompressed(ctx: OpContext, flag: boolean | undefined): boolean {
  return flag ?? ctx.core.options.compressionEnabled;
}

/** The bytes an op writes: compressed if asked (null counts as empty then). */
export function dataToWrite(ctx: OpContext, serverPath: string, data: Data, compressed: boolean | undefined): Buffer | null {
  const bytes = toBuffer(data);
  if (!isCompressed(ctx, compressed)) return bytes;
  return ctx.core.options.compressionProvider.compress(serverPath, bytes ?? Buffer.alloc(0));
}

/** Byte equality where null (no data) differs from empty. */
export function sameData(a: Buffer | null, b: Buffer | null): boolean {
  if (a === null || b === null) return a === b;
  return a.equals(b);
}
