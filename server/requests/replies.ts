// Reply frames: the header (xid, the zxid the server has applied, the error code) and, on success,
// the record the op answers with — a multi's and multiRead's results, or each op's own response.
// For a write, which fields of what applying it gave go into that record (create: the path;
// create2/container/TTL: path and stat; setData/setACL: the stat; the rest: nothing).
// Counterpart: FinalRequestProcessor's per-op response records and ServerCnxn.sendResponse.

import { encodeReplyFrame } from '../../protocol/frames.js';
import { MultiResponse } from '../../protocol/multi.js';
import { OpCode, type OpSpec } from '../../protocol/ops.js';
import type { Stat } from '../../protocol/records.js';
import type { ApplyResult } from './apply.js';

/** What a reply carries: its error code, and the response record when there is one. */
export interface ReplyContent {
  readonly err: number;
  readonly body?: unknown;
}

/** The reply to a write, from what applying its txn gave. */
export function writeReplyContent(spec: OpSpec, result: ApplyResult): ReplyContent {
  if ('multi' in result) return { err: 0, body: result.multi };
  if (result.err !== 0) return { err: result.err };
  const ok = result as { path?: string; stat?: Stat };
  switch (spec.code) {
    case OpCode.create:
      return { err: 0, body: { path: ok.path } };
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { err: 0, body: { path: ok.path, stat: ok.stat } };
    case OpCode.setData:
    case OpCode.setACL:
      return { err: 0, body: { stat: ok.stat } };
    default:
      return { err: 0 };
  }
}

/** The frame of a reply: the response record only when the request succeeded and has one. */
export function replyFrame(spec: OpSpec, xid: number, zxid: bigint, err: number, body?: unknown): Buffer {
  if (err !== 0 || body === undefined) return encodeReplyFrame(xid, zxid, err);
  const codec = spec.code === OpCode.multi || spec.code === OpCode.multiRead ? MultiResponse : spec.response;
  return encodeReplyFrame(xid, zxid, 0, codec, body);
}
