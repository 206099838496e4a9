// Typed transactions: a builder whose commit() resolves to one typed result per op, in order
// (`transaction().create(...).setData(...).check(...).delete(...).commit()`), or an array of ops
// (`forOperations([...])`). Paths are namespaced; created data may be compressed. All or nothing;
// on failure the failing op's KeeperError is thrown with every op's result (isMultiError).
// Counterpart: CuratorMultiTransaction, TransactionOp and CuratorTransactionResult.

import { CreateMode, type ACL, type Stat } from '../../protocol/index.js';
import { Op, type Data, type OpResult, type WriteOp } from '../client/multi-ops.js';
import { aclFor } from '../core/acl-provider.js';
import { dataToWrite, runOp, type OpContext } from '../core/op-context.js';

export interface TransactionCreateOptions {
  mode?: CreateMode;
  acl?: readonly ACL[];
  ttlMs?: number;
  compressed?: boolean;
}

export type TransactionOp =
  | { readonly type: 'create'; readonly path: string; readonly data: Data | undefined; readonly options: TransactionCreateOptions }
  | { readonly type: 'delete'; readonly path: string; readonly version: number }
  | { readonly type: 'setData'; readonly path: string; readonly data: Data; readonly version: number; readonly compressed: boolean | undefined }
  | { readonly type: 'check'; readonly path: string; readonly version: number };

/** Builders for `forOperations`, e.g. `TransactionOp.create('/a', 'x')`. */
export const TransactionOp = {
  create: (path: string, data?: Data, options: TransactionCreateOptions = {}) => ({ type: 'create', path, data, options }) as const,
  delete: (path: string, version = -1) => ({ type: 'delete', path, version }) as const,
  setData: (path: string, data: Data, options: { version?: number; compressed?: boolean } = {}) =>
    ({ type: 'setData', path, data, version: options.version ?? -1, compressed: options.compressed }) as const,
  check: (path: string, version: number) => ({ type: 'check', path, version }) as const,
};

export interface CreateResult {
  readonly type: 'create';
  /** The path given to the op. */
  readonly forPath: string;
  /** The path created (with its sequence number for sequential modes). */
  readonly path: string;
  /** The new node's Stat (ZooKeeper 3.8 returns none in a multi; then undefined). */
  readonly stat: Stat | undefined;
}
export interface DeleteResult {
  readonly type: 'delete';
  readonly forPath: string;
}
export interface SetDataResult {
  readonly type: 'setData';
  readonly forPath: string;
  readonly stat: Stat;
}
export interface CheckResult {
  readonly type: 'check';
  readonly forPath: string;
}
export type TransactionResult = CreateResult | DeleteResult | SetDataResult | CheckResult;

/** The result type of an op type. */
export type ResultOf<O extends { readonly type: TransactionResult['type'] }> = Extract<TransactionResult, { type: O['type'] }>;
/** Result types of an op tuple, position by position. */
export type ResultsOf<Ops extends readonly TransactionOp[]> = { -readonly [K in keyof Ops]: ResultOf<Ops[K]> };

export class Transaction<Results extends readonly TransactionResult[] = []> {
  constructor(private readonly ctx: OpContext, private readonly ops: readonly TransactionOp[] = []) {}

  create(path: string, data?: Data, options: TransactionCreateOptions = {}): Transaction<[...Results, CreateResult]> {
    return new Transaction(this.ctx, [...this.ops, TransactionOp.create(path, data, options)]);
  }

  delete(path: string, version = -1): Transaction<[...Results, DeleteResult]> {
    return new Transaction(this.ctx, [...this.ops, TransactionOp.delete(path, version)]);
  }

  setData(path: string, data: Data, options: { version?: number; compressed?: boolean } = {}): Transaction<[...Results, SetDataResult]> {
    return new Transaction(this.ctx, [...this.ops, TransactionOp.setData(path, data, options)]);
  }

  check(path: string, version: number): Transaction<[...Results, CheckResult]> {
    return new Transaction(this.ctx, [...this.ops, TransactionOp.check(path, version)]);
  }

  /** Commits the ops built so far. */
  commit(): Promise<Results> {
    return commitOps(this.ctx, this.ops) as Promise<unknown> as Promise<Results>;
  }

  /** Commits the given ops (built with TransactionOp) instead of the builder's. */
  forOperations<const Ops extends readonly TransactionOp[]>(ops: Ops): Promise<ResultsOf<Ops>> {
    return commitOps(this.ctx, ops) as Promise<unknown> as Promise<ResultsOf<Ops>>;
  }
}

async function commitOps(ctx: OpContext, ops: readonly TransactionOp[]): Promise<TransactionResult[]> {
  ctx.core.checkStarted();
  if (ops.length === 0) return [];
  const ns = ctx.namespace;
  const wire: WriteOp[] = ops.map((op) => {
    const path = ns.fix(op.path);
    switch (op.type) {
      case 'create': {
        const o = op.options;
        const data = dataToWrite(ctx, path, op.data === undefined ? ctx.core.options.defaultData : op.data, o.compressed);
        return Op.create(path, data, {
          mode: o.mode ?? CreateMode.PERSISTENT,
          acl: aclFor(ctx.core.options.aclProvider, path, o.acl),
          ...(o.ttlMs !== undefined ? { ttl: o.ttlMs } : {}),
        });
      }
      case 'delete':
        return Op.delete(path, op.version);
      case 'setData':
        return Op.setData(path, dataToWrite(ctx, path, op.data, op.compressed), op.version);
      case 'check':
        return Op.check(path, op.version);
    }
  });
  const results = await runOp(ctx, (client) => client.multi(wire));
  return results.map((r, i) => toResult(ctx, ops[i]!, r));
}

function toResult(ctx: OpContext, op: TransactionOp, r: OpResult): TransactionResult {
  switch (r.op) {
    case 'create':
      return { type: 'create', forPath: op.path, path: ctx.namespace.unfix(r.path), stat: r.stat };
    case 'delete':
      return { type: 'delete', forPath: op.path };
    case 'setData':
      return { type: 'setData', forPath: op.path, stat: r.stat };
    case 'check':
      return { type: 'check', forPath: op.path };
    default:
      throw new Error(`unexpected transaction result ${r.op} for ${op.type} ${op.path}`);
  }
}
