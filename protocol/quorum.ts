// The quorum wire: Zab's QuorumPacket stream between leader and learners (protocol.md §12) and
// Fast Leader Election notifications on the election port (§13.2). Both peers of an ensemble
// and the simulator use these codecs, so they live in the shared leaf.
// Counterparts: QuorumPacket and LearnerInfo in zookeeper.jute, Leader's packet constants,
// FastLeaderElection.buildMsg and its WorkerReceiver parser.

import { JuteReader } from './jute/reader.js';
import { JuteWriter } from './jute/writer.js';
import { JuteDecodeError } from './jute/errors.js';
import { Id } from './records.js';

/** QuorumPacket.type values (Leader.java constants). */
export const QuorumPacketType = {
  REQUEST: 1,
  PROPOSAL: 2,
  ACK: 3,
  COMMIT: 4,
  PING: 5,
  REVALIDATE: 6,
  SYNC: 7,
  INFORM: 8,
  COMMITANDACTIVATE: 9,
  NEWLEADER: 10,
  FOLLOWERINFO: 11,
  UPTODATE: 12,
  DIFF: 13,
  TRUNC: 14,
  SNAP: 15,
  OBSERVERINFO: 16,
  LEADERINFO: 17,
  ACKEPOCH: 18,
  INFORMANDACTIVATE: 19,
} as const;
export type QuorumPacketType = (typeof QuorumPacketType)[keyof typeof QuorumPacketType];

const TYPE_NAMES = new Map<number, string>(Object.entries(QuorumPacketType).map(([k, v]) => [v, k]));

/** "PROPOSAL", "ACK", ... or "UNKNOWN(n)" — for logs and test failures. */
export function quorumPacketTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `UNKNOWN(${type})`;
}

/** Zab protocol version carried in LEADERINFO and LearnerInfo (0x10000, "Zab 1.0"). */
export const ZAB_PROTOCOL_VERSION = 0x10000;

/**
 * One QuorumPacket. `data` null is written as length -1; `authinfo` null as count -1 (only
 * REQUEST carries ids). There is no length prefix: packets follow each other on the stream.
 */
export interface QuorumPacket {
  type: number;
  zxid: bigint;
  data: Buffer | null;
  authinfo: Id[] | null;
}

export function quorumPacket(type: number, zxid: bigint, data: Buffer | null = null, authinfo: Id[] | null = null): QuorumPacket {
  return { type, zxid, data, authinfo };
}

export function writeQuorumPacket(w: JuteWriter, p: QuorumPacket): void {
  w.int(p.type);
  w.long(p.zxid);
  w.buffer(p.data);
  if (p.authinfo === null) {
    w.int(-1);
  } else {
    w.int(p.authinfo.length);
    for (const id of p.authinfo) Id.encode(w, id);
  }
}

export function encodeQuorumPacket(p: QuorumPacket): Buffer {
  const w = new JuteWriter(32 + (p.data?.length ?? 0));
  writeQuorumPacket(w, p);
  return Buffer.from(w.bytes());
}

export function readQuorumPacket(r: JuteReader): QuorumPacket {
  const type = r.int();
  const zxid = r.long();
  const data = r.buffer();
  const n = r.length('vector');
  let authinfo: Id[] | null = null;
  if (n >= 0) {
    authinfo = [];
    for (let i = 0; i < n; i++) authinfo.push(Id.decode(r));
  }
  return { type, zxid, data, authinfo };
}

/** Decodes exactly one packet occupying the whole buffer. */
export function decodeQuorumPacket(buf: Buffer): QuorumPacket {
  const r = new JuteReader(buf);
  const p = readQuorumPacket(r);
  if (r.remaining !== 0) throw new JuteDecodeError(`${r.remaining} trailing bytes after QuorumPacket`);
  return p;
}

/**
 * Byte length of the QuorumPacket starting at `offset`, or -1 when `buf` does not yet hold all
 * of it. Throws JuteDecodeError on a negative length other than the -1 null marker, or on a
 * length above `maxLength` (checked before anything is allocated).
 */
export function quorumPacketLength(buf: Buffer, offset = 0, maxLength = 0xfffff * 2): number {
  let pos = offset + 12; // type + zxid
  const dataLen = lengthField(buf, pos, maxLength, 'data');
  if (dataLen === undefined) return -1;
  pos += 4 + Math.max(dataLen, 0);
  const count = lengthField(buf, pos, maxLength, 'authinfo');
  if (count === undefined) return -1;
  pos += 4;
  for (let i = 0; i < count; i++) {
    for (const what of AUTH_FIELDS) {
      const len = lengthField(buf, pos, maxLength, what);
      if (len === undefined) return -1;
      pos += 4 + Math.max(len, 0);
    }
  }
  if (buf.length < pos) return -1;
  if (pos - offset > maxLength) throw new JuteDecodeError(`QuorumPacket of ${pos - offset} bytes exceeds ${maxLength}`);
  return pos - offset;
}

const AUTH_FIELDS = ['scheme', 'id'] as const;

/** The int length field at `pos` (undefined if not all there yet), checked against `maxLength`. */
function lengthField(buf: Buffer, pos: number, maxLength: number, what: string): number | undefined {
  if (buf.length < pos + 4) return undefined;
  const n = buf.readInt32BE(pos);
  if (n < -1 || n > maxLength) throw new JuteDecodeError(`bad ${what} length ${n} in QuorumPacket`);
  return n;
}

/**
 * Splits a byte stream into QuorumPackets (the stream has no framing of its own). Feed it
 * chunks as they arrive; each call returns the packets completed so far.
 */
export class QuorumPacketDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxLength = 0xfffff * 2) {}

  push(chunk: Buffer): QuorumPacket[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: QuorumPacket[] = [];
    let offset = 0;
    for (;;) {
      const len = quorumPacketLength(this.pending, offset, this.maxLength);
      if (len < 0) break;
      out.push(readQuorumPacket(new JuteReader(this.pending, offset, offset + len)));
      offset += len;
    }
    this.pending = offset === 0 ? this.pending : this.pending.subarray(offset);
    return out;
  }

  /** Bytes received but not yet part of a whole packet. */
  get buffered(): number {
    return this.pending.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Payloads carried in QuorumPacket.data

/** LearnerInfo (FOLLOWERINFO / OBSERVERINFO data): 20 bytes; 8- and 12-byte legacy forms accepted. */
export interface LearnerInfo {
  serverId: bigint;
  protocolVersion: number;
  configVersion: bigint;
}

export function encodeLearnerInfo(li: LearnerInfo): Buffer {
  return new JuteWriter(20).long(li.serverId).int(li.protocolVersion).long(li.configVersion).bytes();
}

/** Legacy payloads: 8 bytes = sid only (protocol 0), 12 bytes = sid + protocol version. */
export function decodeLearnerInfo(buf: Buffer): LearnerInfo {
  const r = new JuteReader(buf);
  if (buf.length === 8) return { serverId: r.long(), protocolVersion: 0, configVersion: 0n };
  if (buf.length === 12) return { serverId: r.long(), protocolVersion: r.int(), configVersion: 0n };
  if (buf.length !== 20) throw new JuteDecodeError(`LearnerInfo of ${buf.length} bytes`);
  return { serverId: r.long(), protocolVersion: r.int(), configVersion: r.long() };
}

/** LEADERINFO data: int protocol version. */
export function encodeLeaderInfo(protocolVersion = ZAB_PROTOCOL_VERSION): Buffer {
  return new JuteWriter(4).int(protocolVersion).bytes();
}

export function decodeLeaderInfo(buf: Buffer | null): number {
  if (buf === null || buf.length < 4) throw new JuteDecodeError('LEADERINFO without protocol version');
  return buf.readInt32BE(0);
}

/** ACKEPOCH data: int currentEpoch, or -1 when the learner had already accepted this epoch. */
export function encodeAckEpoch(currentEpoch: number): Buffer {
  return new JuteWriter(4).int(currentEpoch).bytes();
}

export function decodeAckEpoch(buf: Buffer | null): number {
  if (buf === null || buf.length < 4) throw new JuteDecodeError('ACKEPOCH without epoch');
  return buf.readInt32BE(0);
}

/** A session touched on a learner since its last ping: PING data is these back to back. */
export interface SessionTouch {
  sessionId: bigint;
  timeout: number;
}

export function encodePingTouches(touches: readonly SessionTouch[]): Buffer {
  const w = new JuteWriter(12 * touches.length + 1);
  for (const t of touches) w.long(t.sessionId).int(t.timeout);
  return w.bytes();
}

export function decodePingTouches(buf: Buffer | null): SessionTouch[] {
  if (buf === null) return [];
  if (buf.length % 12 !== 0) throw new JuteDecodeError(`PING touches of ${buf.length} bytes`);
  const r = new JuteReader(buf);
  const out: SessionTouch[] = [];
  while (r.remaining > 0) out.push({ sessionId: r.long(), timeout: r.int() });
  return out;
}

/** REVALIDATE learner → leader: long sessionId; int timeout. */
export function encodeRevalidateRequest(t: SessionTouch): Buffer {
  return new JuteWriter(12).long(t.sessionId).int(t.timeout).bytes();
}

export function decodeRevalidateRequest(buf: Buffer | null): SessionTouch {
  if (buf === null) throw new JuteDecodeError('REVALIDATE without data');
  const r = new JuteReader(buf);
  return { sessionId: r.long(), timeout: r.int() };
}

/** REVALIDATE leader → learner: long sessionId; boolean valid. */
export function encodeRevalidateReply(sessionId: bigint, valid: boolean): Buffer {
  return new JuteWriter(9).long(sessionId).bool(valid).bytes();
}

export function decodeRevalidateReply(buf: Buffer | null): { sessionId: bigint; valid: boolean } {
  if (buf === null) throw new JuteDecodeError('REVALIDATE reply without data');
  const r = new JuteReader(buf);
  return { sessionId: r.long(), valid: r.bool() };
}

/** REQUEST data: long sessionId; int cxid; int type; then the request body exactly as the client sent it. */
export interface ForwardedRequest {
  sessionId: bigint;
  cxid: number;
  type: number;
  body: Buffer;
}

export function encodeForwardedRequest(req: ForwardedRequest): Buffer {
  return new JuteWriter(16 + req.body.length).long(req.sessionId).int(req.cxid).int(req.type).raw(req.body).bytes();
}

export function decodeForwardedRequest(buf: Buffer | null): ForwardedRequest {
  if (buf === null) throw new JuteDecodeError('REQUEST without data');
  const r = new JuteReader(buf);
  const sessionId = r.long();
  const cxid = r.int();
  const type = r.int();
  return { sessionId, cxid, type, body: Buffer.from(buf.subarray(r.position)) };
}

/** COMMITANDACTIVATE data: long designated leader; INFORMANDACTIVATE: that long + proposal bytes. */
export function decodeDesignatedLeader(buf: Buffer | null): { leader: bigint; rest: Buffer } {
  if (buf === null || buf.length < 8) throw new JuteDecodeError('ACTIVATE packet without designated leader');
  return { leader: buf.readBigInt64BE(0), rest: Buffer.from(buf.subarray(8)) };
}

// ---------------------------------------------------------------------------------------------
// Fast Leader Election notifications (election port payload, after the int32 frame length)

/** QuorumPeer.ServerState ordinal as sent in notifications. */
export const PeerState = {
  LOOKING: 0,
  FOLLOWING: 1,
  LEADING: 2,
  OBSERVING: 3,
} as const;
export type PeerState = (typeof PeerState)[keyof typeof PeerState];

/** Notification.CURRENTVERSION: the format with a config field. */
export const NOTIFICATION_VERSION = 2;

export interface Notification {
  state: PeerState;
  /** Proposed (or elected) leader sid. */
  leader: bigint;
  /** Proposed leader's last logged zxid. */
  zxid: bigint;
  /** Sender's logical clock (election round). */
  electionEpoch: bigint;
  /** Proposed leader's current epoch. */
  peerEpoch: bigint;
  /** 0 for 28/40-byte legacy messages, otherwise the int sent; 2 (current) carries config. */
  version: number;
  /** Dynamic config text (§13.4); null when the format has none. */
  config: string | null;
}

/** Builds the current (version 2) format: 44 bytes + UTF-8 config. */
export function encodeNotification(n: Omit<Notification, 'version'> & { version?: number }): Buffer {
  const config = Buffer.from(n.config ?? '', 'utf8');
  const w = new JuteWriter(44 + config.length);
  w.int(n.state).long(n.leader).long(n.zxid).long(n.electionEpoch).long(n.peerEpoch);
  w.int(n.version ?? NOTIFICATION_VERSION);
  w.int(config.length).raw(config);
  return w.bytes();
}

/**
 * Parses a notification as FastLeaderElection's receiver does: under 28 bytes is an error;
 * 28 bytes have no peerEpoch (taken from the zxid's epoch); 40 bytes (the old 3.4 layout, whose
 * trailing int is ignored) count as version 0; otherwise a version follows, and the config is
 * present only when version > 1. An unknown state is an error (the receiver drops it).
 */
export function decodeNotification(buf: Buffer): Notification {
  if (buf.length < 28) throw new JuteDecodeError(`notification of ${buf.length} bytes`);
  const r = new JuteReader(buf);
  const state = r.int();
  if (state < 0 || state > 3) throw new JuteDecodeError(`notification with unknown state ${state}`);
  const leader = r.long();
  const zxid = r.long();
  const electionEpoch = r.long();
  let peerEpoch: bigint;
  let version = 0;
  if (buf.length === 28) {
    peerEpoch = zxid >> 32n; // ZxidUtils.getEpochFromZxid: arithmetic shift
  } else {
    peerEpoch = r.long();
    if (buf.length !== 40) version = r.int();
  }
  let config: string | null = null;
  if (version > 1) {
    const len = r.int();
    if (len < 0 || len > r.remaining) throw new JuteDecodeError(`notification config length ${len}`);
    config = buf.toString('utf8', r.position, r.position + len);
  }
  return { state: state as PeerState, leader, zxid, electionEpoch, peerEpoch, version, config };
}
