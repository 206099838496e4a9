// The multi / multiRead request and response bodies: a run of MultiHeader + record pairs
// closed by the terminator {type -1, done true, err -1}.
// Counterpart: MultiOperationRecord, MultiResponse, OpResult (org.apache.zookeeper).

import type { Codec } from './jute/schema.js';
import { JuteDecodeError } from './jute/errors.js';
import {
  CheckVersionRequest, Create2Response, CreateRequest, CreateResponse, CreateTTLRequest, DeleteRequest,
  ErrorResponse, GetChildrenRequest, GetChildrenResponse, GetDataRequest, GetDataResponse, MultiHeader,
  SetDataRequest, SetDataResponse,
  type CheckVersionRequest as CheckVersionRequestT, type CreateRequest as CreateRequestT,
  type CreateTTLRequest as CreateTTLRequestT, type DeleteRequest as DeleteRequestT,
  type PathWatchRequest, type SetDataRequest as SetDataRequestT, type Stat,
} from './records.js';

export type MultiOp =
  | { type: 1 | 15 | 19; request: CreateRequestT }
  | { type: 21; request: CreateTTLRequestT }
  | { type: 2; request: DeleteRequestT }
  | { type: 5; request: SetDataRequestT }
  | { type: 13; request: CheckVersionRequestT }
  | { type: 4 | 8; request: PathWatchRequest };

export type MultiResult =
  | { type: 1; path: string }
  | { type: 15; path: string; stat: Stat }
  | { type: 2 }
  | { type: 5; stat: Stat }
  | { type: 13 }
  | { type: 8; children: string[] }
  | { type: 4; data: Buffer | null; stat: Stat }
  | { type: -1; err: number };

const OP_RECORDS: Record<number, Codec<any>> = {
  1: CreateRequest, 15: CreateRequest, 19: CreateRequest, 21: CreateTTLRequest,
  2: DeleteRequest, 5: SetDataRequest, 13: CheckVersionRequest,
  4: GetDataRequest, 8: GetChildrenRequest,
};

const TERMINATOR = { type: -1, done: true, err: -1 };

/** Thrown for a sub-op type that no multi may carry; the server answers MarshallingError. */
export class UnknownMultiOpError extends JuteDecodeError {}

export const MultiRequest: Codec<MultiOp[]> = {
  encode(w, ops) {
    for (const op of ops) {
      MultiHeader.encode(w, { type: op.type, done: false, err: -1 });
      OP_RECORDS[op.type]!.encode(w, op.request);
    }
    MultiHeader.encode(w, TERMINATOR);
  },
  decode(r) {
    const ops: MultiOp[] = [];
    for (;;) {
      const h = MultiHeader.decode(r);
      if (h.done) return ops;
      const codec = OP_RECORDS[h.type];
      if (!codec) throw new UnknownMultiOpError(`multi sub-op type ${h.type} is not allowed`);
      ops.push({ type: h.type, request: codec.decode(r) } as MultiOp);
    }
  },
};

export const MultiResponse: Codec<MultiResult[]> = {
  encode(w, results) {
    for (const res of results) {
      MultiHeader.encode(w, { type: res.type, done: false, err: res.type === -1 ? res.err : 0 });
      switch (res.type) {
        case 1: CreateResponse.encode(w, res); break;
        case 15: Create2Response.encode(w, res); break;
        case 5: SetDataResponse.encode(w, res); break;
        case 8: GetChildrenResponse.encode(w, res); break;
        case 4: GetDataResponse.encode(w, res); break;
        case -1: ErrorResponse.encode(w, { err: res.err }); break;
        case 2: case 13: break;
      }
    }
    MultiHeader.encode(w, TERMINATOR);
  },
  decode(r) {
    const results: MultiResult[] = [];
    for (;;) {
      const h = MultiHeader.decode(r);
      if (h.done) return results;
      switch (h.type) {
        case 1: results.push({ type: 1, ...CreateResponse.decode(r) }); break;
        case 15: results.push({ type: 15, ...Create2Response.decode(r) }); break;
        case 5: results.push({ type: 5, ...SetDataResponse.decode(r) }); break;
        case 8: results.push({ type: 8, ...GetChildrenResponse.decode(r) }); break;
        case 4: results.push({ type: 4, ...GetDataResponse.decode(r) }); break;
        case 2: results.push({ type: 2 }); break;
        case 13: results.push({ type: 13 }); break;
        case -1: results.push({ type: -1, err: ErrorResponse.decode(r).err }); break;
        default: throw new JuteDecodeError(`unknown multi result type ${h.type}`);
      }
    }
  },
};
