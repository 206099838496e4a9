// The session handshake: ConnectRequest / ConnectResponse, the first frame each way. Both carry
// a trailing readOnly boolean that pre-3.4 peers omit; its absence is remembered so the answer
// mirrors it. Counterpart: ConnectRequest/ConnectResponse in zookeeper.jute, ProtocolManager.

import { JuteReader } from './jute/reader.js';
import { JuteWriter } from './jute/writer.js';

export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** undefined when the client is too old to send the byte. */
  readOnly: boolean | undefined;
}

export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** undefined to omit the byte (answering an old client). */
  readOnly: boolean | undefined;
}

export function decodeConnectRequest(r: JuteReader): ConnectRequest {
  const protocolVersion = r.int();
  const lastZxidSeen = r.long();
  const timeOut = r.int();
  const sessionId = r.long();
  const passwd = r.buffer() ?? Buffer.alloc(0);
  const readOnly = r.remaining > 0 ? r.bool() : undefined;
  return { protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly };
}

export function encodeConnectRequest(w: JuteWriter, v: ConnectRequest): void {
  w.int(v.protocolVersion).long(v.lastZxidSeen).int(v.timeOut).long(v.sessionId).buffer(v.passwd);
  if (v.readOnly !== undefined) w.bool(v.readOnly);
}

export function decodeConnectResponse(r: JuteReader): ConnectResponse {
  const protocolVersion = r.int();
  const timeOut = r.int();
  const sessionId = r.long();
  const passwd = r.buffer() ?? Buffer.alloc(0);
  const readOnly = r.remaining > 0 ? r.bool() : undefined;
  return { protocolVersion, timeOut, sessionId, passwd, readOnly };
}

export function encodeConnectResponse(w: JuteWriter, v: ConnectResponse): void {
  w.int(v.protocolVersion).int(v.timeOut).long(v.sessionId).buffer(v.passwd);
  if (v.readOnly !== undefined) w.bool(v.readOnly);
}
