// Decoding a request's record (the bytes after its header) with its op's codec, and which ops a
// multi or a multiRead may carry: a multi only writes (create in its four forms, delete, setData,
// check), a multiRead only reads (getChildren, getData), and a create inside a multi needs a valid
// create mode. A body that does not decode, or breaks those rules, gets MARSHALLINGERROR for the
// whole request, as from ZooKeeper, whose MultiOperationRecord refuses it while deserializing.
// Counterpart: ZooKeeperServer.processPacket's deserialization, MultiOperationRecord / OpKind.

import { JuteDecodeError } from '../../protocol/jute/errors.js';
import { KeeperError } from '../../protocol/errors.js';
import type { JuteReader } from '../../protocol/jute/reader.js';
import type { MultiOp } from '../../protocol/multi.js';
import { OpCode, type OpSpec } from '../../protocol/ops.js';
import { createModeInfo } from '../../protocol/types.js';

const MULTI_WRITE_TYPES = new Set<number>([
  OpCode.create, OpCode.create2, OpCode.createTTL, OpCode.createContainer, OpCode.delete, OpCode.setData, OpCode.check,
]);
const MULTI_READ_TYPES = new Set<number>([OpCode.getChildren, OpCode.getData]);

/** Throws JuteDecodeError when `ops` do not fit `type` (multi: writes only; multiRead: reads only). */
export function checkMultiKinds(type: number, ops: readonly MultiOp[]): void {
  const multi = type === OpCode.multi;
  const allowed = multi ? MULTI_WRITE_TYPES : MULTI_READ_TYPES;
  for (const op of ops) {
    if (!allowed.has(op.type)) throw new JuteDecodeError(`op ${op.type} not allowed in ${multi ? 'multi' : 'multiRead'}`);
    const create = op.type === OpCode.create || op.type === OpCode.create2 || op.type === OpCode.createContainer || op.type === OpCode.createTTL;
    if (create && !createModeInfo(op.request.flags)) throw new JuteDecodeError(`invalid create flags ${op.request.flags} in multi`);
  }
}

/** The request record of `spec` read from `r`, or undefined when it does not decode (MARSHALLINGERROR). */
export function decodeRequestBody(spec: OpSpec, r: JuteReader): { request: unknown } | undefined {
  try {
    const request: unknown = spec.request.decode(r);
    if (spec.code === OpCode.multi || spec.code === OpCode.multiRead) checkMultiKinds(spec.code, request as MultiOp[]);
    return { request };
  } catch (e) {
    if (e instanceof JuteDecodeError || e instanceof KeeperError) return undefined;
    throw e;
  }
}
