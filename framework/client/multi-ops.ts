// The operations a multi (transaction) or multiRead may carry, their typed results, and the
// translation to and from protocol/multi's wire records (chroot included).
// Counterpart: org.apache.zookeeper.Op and OpResult.

import {
  BadArgumentsError, CreateMode, createModeInfo, KeeperError, OPEN_ACL_UNSAFE, OpCode, pathProblem,
  type ACL, type MultiOp, type MultiResult, type Stat,
} from '../../protocol/index.js';
import type { Chroot } from './chroot.js';
import { keeperError } from './errors.js';

export type Data = Buffer | Uint8Array | string | null;

export interface CreateOptions {
  /** Default CreateMode.PERSISTENT. */
  mode?: CreateMode;
  /** Default OPEN_ACL_UNSAFE. */
  acl?: readonly ACL[];
  /** Milliseconds; required by (and only allowed with) the TTL modes. */
  ttl?: number | bigint;
}

export type WriteOp =
  | { readonly op: 'create'; readonly path: string; readonly data: Data; readonly options: CreateOptions }
  | { readonly op: 'delete'; readonly path: string; readonly version: number }
  | { readonly op: 'setData'; readonly path: string; readonly data: Data; readonly version: number }
  | { readonly op: 'check'; readonly path: string; readonly version: number };

export type ReadOp =
  | { readonly op: 'getData'; readonly path: string }
  | { readonly op: 'getChildren'; readonly path: string };

export type Op = WriteOp | ReadOp;

/** Builders, e.g. `client.multi([Op.create('/a', 'x'), Op.setData('/b', 'y', 3)])`. */
export const Op = {
  create: (path: string, data: Data = null, options: CreateOptions = {}): WriteOp => ({ op: 'create', path, data, options }),
  delete: (path: string, version = -1): WriteOp => ({ op: 'delete', path, version }),
  setData: (path: string, data: Data, version = -1): WriteOp => ({ op: 'setData', path, data, version }),
  check: (path: string, version: number): WriteOp => ({ op: 'check', path, version }),
  getData: (path: string): ReadOp => ({ op: 'getData', path }),
  getChildren: (path: string): ReadOp => ({ op: 'getChildren', path }),
};

export type OpResult =
  /** `stat` is present when the server returned one (create2-typed results; ZooKeeper 3.8.0 returns none for plain creates). */
  | { readonly op: 'create'; readonly path: string; readonly stat: Stat | undefined }
  | { readonly op: 'delete' }
  | { readonly op: 'setData'; readonly stat: Stat }
  | { readonly op: 'check' }
  | { readonly op: 'getData'; readonly data: Buffer | null; readonly stat: Stat }
  | { readonly op: 'getChildren'; readonly children: string[] }
  /** The op failed with `error.code`; in a failed transaction the ops before it report code 0 and those after it -2. */
  | { readonly op: 'error'; readonly code: number; readonly error: KeeperError | undefined };

/** A failed multi rejects with the failing op's KeeperError carrying every op's result. */
export type MultiError = KeeperError & { readonly results: readonly OpResult[] };

export function isMultiError(e: unknown): e is MultiError {
  return e instanceof KeeperError && Array.isArray((e as { results?: unknown }).results);
}

export function toBuffer(data: Data): Buffer | null {
  if (data === null) return null;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function checkPath(path: string, sequential = false): void {
  const problem = pathProblem(path, sequential);
  if (problem !== undefined) throw new BadArgumentsError(path, { cause: new Error(`invalid path "${path}": ${problem}`) });
}

/** The opcode and record for a create, chosen as the Java client does (create2 / container / TTL). */
export function createRequest(path: string, data: Data, options: CreateOptions, chroot: Chroot, inMulti: boolean): MultiOp {
  const mode = options.mode ?? CreateMode.PERSISTENT;
  const info = createModeInfo(mode);
  if (!info) throw new BadArgumentsError(path, { cause: new Error(`unknown create mode ${String(mode)}`) });
  checkPath(path, info.sequential);
  const acl = [...(options.acl ?? OPEN_ACL_UNSAFE)];
  if (acl.length === 0) throw new KeeperError(-114, path, { cause: new Error('ACL list must not be empty') });
  const request = { path: chroot.toServer(path), data: toBuffer(data), acl, flags: mode };
  if (info.ttl) {
    const ttl = options.ttl === undefined ? undefined : BigInt(options.ttl);
    if (ttl === undefined || ttl <= 0n || ttl > 0xffffffffffn) {
      throw new BadArgumentsError(path, { cause: new Error(`TTL modes need 0 < ttl <= 2^40-1, got ${String(options.ttl)}`) });
    }
    return { type: OpCode.createTTL, request: { ...request, ttl } };
  }
  if (options.ttl !== undefined) throw new BadArgumentsError(path, { cause: new Error('ttl given for a mode without TTL') });
  if (info.container) return { type: OpCode.createContainer, request };
  return { type: inMulti ? OpCode.create : OpCode.create2, request };
}

export function toMultiOp(op: Op, chroot: Chroot): MultiOp {
  switch (op.op) {
    case 'create':
      return createRequest(op.path, op.data, op.options, chroot, true);
    case 'delete':
      checkPath(op.path);
      return { type: OpCode.delete, request: { path: chroot.toServer(op.path), version: op.version } };
    case 'setData':
      checkPath(op.path);
      return { type: OpCode.setData, request: { path: chroot.toServer(op.path), data: toBuffer(op.data), version: op.version } };
    case 'check':
      checkPath(op.path);
      return { type: OpCode.check, request: { path: chroot.toServer(op.path), version: op.version } };
    case 'getData':
      checkPath(op.path);
      return { type: OpCode.getData, request: { path: chroot.toServer(op.path), watch: false } };
    case 'getChildren':
      checkPath(op.path);
      return { type: OpCode.getChildren, request: { path: chroot.toServer(op.path), watch: false } };
  }
}

export function fromMultiResult(res: MultiResult, op: Op | undefined, chroot: Chroot): OpResult {
  switch (res.type) {
    case 1: return { op: 'create', path: chroot.toClient(res.path), stat: undefined };
    case 15: return { op: 'create', path: chroot.toClient(res.path), stat: res.stat };
    case 2: return { op: 'delete' };
    case 5: return { op: 'setData', stat: res.stat };
    case 13: return { op: 'check' };
    case 4: return { op: 'getData', data: res.data, stat: res.stat };
    case 8: return { op: 'getChildren', children: res.children };
    case -1: {
      const error = res.err === 0 ? undefined : keeperError(res.err, op?.path);
      return { op: 'error', code: res.err, error };
    }
  }
}
