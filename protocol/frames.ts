// Whole client-port frames: a reply (ReplyHeader + optional body), a request (RequestHeader +
// optional body) and a watch notification, each with its length prefix, built in one buffer.
// Counterpart: the framing in ClientCnxn.Packet.createBB and ServerCnxn.sendResponse.

import type { Codec } from './jute/schema.js';
import { JuteWriter } from './jute/writer.js';
import { Xid } from './ops.js';
import { KeeperState } from './types.js';

/** Every frame is built here, then copied out at its exact size (none is built inside another). */
const frameScratch = JuteWriter.forFrame(64 * 1024);

export function encodeReplyFrame<T>(xid: number, zxid: bigint, err: number, codec?: Codec<T>, body?: T): Buffer {
  const w = frameScratch;
  w.resetForFrame();
  w.int(xid).long(zxid).int(err);
  if (codec && body !== undefined) codec.encode(w, body);
  return w.copyFrame();
}

export function encodeRequestFrame<T>(xid: number, type: number, codec?: Codec<T>, body?: T): Buffer {
  const w = frameScratch;
  w.resetForFrame();
  w.int(xid).int(type);
  if (codec && body !== undefined) codec.encode(w, body);
  return w.copyFrame();
}

export function encodeNotificationFrame(type: number, path: string, zxid: bigint): Buffer {
  const w = frameScratch;
  w.resetForFrame();
  w.int(Xid.WATCHER_EVENT).long(zxid).int(0);
  w.int(type).int(KeeperState.SyncConnected).ustring(path);
  return w.copyFrame();
}
