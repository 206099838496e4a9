// Reads the golden wire captures (test/fixtures/golden/*.json) and walks their frames with our
// codecs: which request each reply answers, decoded headers and bodies. Shared by the codec
// round-trip test and the replay of captures against zabkit's server.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JuteReader } from '../../protocol/jute/reader.js';
import { JuteWriter } from '../../protocol/jute/writer.js';
import type { Codec } from '../../protocol/jute/schema.js';
import { MultiRequest, MultiResponse } from '../../protocol/multi.js';
import { opSpec, Xid } from '../../protocol/ops.js';
import { ReplyHeader, RequestHeader, WatcherEvent } from '../../protocol/records.js';

export interface GoldenFrame {
  conn: number;
  dir: 'c2s' | 's2c';
  hex: string;
  note?: string;
}

export interface Golden {
  name: string;
  client: string;
  zookeeperVersion: string;
  description: string;
  frames: GoldenFrame[];
}

const DIR = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));

export function loadGoldens(): Golden[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(DIR + f, 'utf8')) as Omit<Golden, 'name'>) }));
}

export function requestCodec(type: number): Codec<unknown> | undefined {
  if (type === 14 || type === 22) return MultiRequest as Codec<unknown>;
  return opSpec(type)?.request;
}

export function responseCodec(type: number): Codec<unknown> | undefined {
  if (type === 14 || type === 22) return MultiResponse as Codec<unknown>;
  return opSpec(type)?.response;
}

export interface DecodedRequest {
  xid: number;
  type: number;
  body: unknown;
  /** Bytes after the header that the codec did not consume. */
  trailing: number;
}

export function decodeRequestFrame(frame: Buffer): DecodedRequest {
  const r = new JuteReader(frame, 4);
  const { xid, type } = RequestHeader.decode(r);
  const codec = requestCodec(type);
  const body = codec && r.remaining > 0 ? codec.decode(r) : undefined;
  return { xid, type, body, trailing: r.remaining };
}

export interface DecodedReply {
  xid: number;
  zxid: bigint;
  err: number;
  /** The op this reply answers (watch event = 0, ping = 11, auth = 100). */
  type: number;
  body: unknown;
  trailing: number;
}

/** Decodes a reply; `pending` maps outstanding xids to their op types (consumed here). */
export function decodeReplyFrame(frame: Buffer, pending: Map<number, number>): DecodedReply {
  const r = new JuteReader(frame, 4);
  const { xid, zxid, err } = ReplyHeader.decode(r);
  let type: number;
  let codec: Codec<unknown> | undefined;
  if (xid === Xid.WATCHER_EVENT) {
    type = 0;
    codec = WatcherEvent as Codec<unknown>;
  } else if (xid === Xid.PING) {
    type = 11;
  } else if (xid === Xid.AUTH) {
    type = 100;
  } else {
    type = pending.get(xid) ?? -999;
    pending.delete(xid);
    codec = responseCodec(type);
  }
  const body = err === 0 && codec && r.remaining > 0 ? codec.decode(r) : undefined;
  return { xid, zxid, err, type, body, trailing: r.remaining };
}

/** Re-encodes a request frame from its decoded parts (for byte-exact comparison). */
export function encodeRequest(req: DecodedRequest): Buffer {
  const w = JuteWriter.forFrame();
  RequestHeader.encode(w, { xid: req.xid, type: req.type });
  if (req.body !== undefined) requestCodec(req.type)!.encode(w, req.body);
  return Buffer.from(w.frame());
}

export function encodeReply(rep: DecodedReply): Buffer {
  const w = JuteWriter.forFrame();
  ReplyHeader.encode(w, { xid: rep.xid, zxid: rep.zxid, err: rep.err });
  if (rep.body !== undefined) {
    const codec = rep.type === 0 ? (WatcherEvent as Codec<unknown>) : responseCodec(rep.type)!;
    codec.encode(w, rep.body);
  }
  return Buffer.from(w.frame());
}
