// One request on its way through the client: the op code, how to encode its body once an xid is
// assigned, and what to do with the reply or with the connection's loss.
// Counterpart: org.apache.zookeeper.ClientCnxn.Packet.

import { encodeRequestFrame, type Codec, type JuteReader } from '../../protocol/index.js';

export interface Packet {
  readonly opCode: number;
  /** The whole frame for `xid`. */
  encode(xid: number): Buffer;
  /** The reply arrived: its err, zxid, and a reader at the start of its body (if any). */
  onReply(err: number, zxid: bigint, body: JuteReader): void;
  /** The request will never be answered (connection lost, session expired, client closed). */
  onFail(error: Error): void;
}

export interface PacketHandlers<T> {
  onReply(err: number, zxid: bigint, body: T | undefined): void;
  onFail(error: Error): void;
}

/**
 * A packet whose body is encoded with `requestCodec` and whose successful reply is decoded with
 * `responseCodec` (when the reply has bytes after the header).
 */
export function codecPacket<Req, Res>(
  opCode: number,
  requestCodec: Codec<Req> | undefined,
  request: Req | undefined,
  responseCodec: Codec<Res> | undefined,
  handlers: PacketHandlers<Res>,
): Packet {
  return {
    opCode,
    encode: (xid) => (requestCodec && request !== undefined
      ? encodeRequestFrame(xid, opCode, requestCodec, request)
      : encodeRequestFrame(xid, opCode)),
    onReply(err, zxid, r) {
      let body: Res | undefined;
      if (err === 0 && responseCodec && r.remaining > 0) {
        try {
          body = responseCodec.decode(r);
        } catch (e) {
          handlers.onFail(e as Error);
          return;
        }
      }
      handlers.onReply(err, zxid, body);
    },
    onFail: (e) => handlers.onFail(e),
  };
}
