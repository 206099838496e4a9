// The first bytes on an election connection (protocol.md §13.1): protocol version, the
// initiator's sid, and its election address as "host:port"; a first long >= 0 is the pre-3.5
// form, the sid alone. Then both directions carry length-prefixed notification frames. Pure.
// Counterpart: QuorumCnxManager.InitialMessage (parse) and startConnection (the header written).

import { JuteWriter } from '../../protocol/jute/writer.js';

/** QuorumCnxManager.PROTOCOL_VERSION_V1 (0xffffffffffff0000) and V2 (multi-address). */
export const ELECTION_PROTOCOL_V1 = -65536n;
export const ELECTION_PROTOCOL_V2 = -65535n;
/** The largest address part an initiator may send (QuorumCnxManager's maxBuffer). */
export const MAX_ADDRESS_BYTES = 2048;
/** The largest notification frame (QuorumCnxManager.PACKETMAXSIZE, 512 KiB). */
export const MAX_ELECTION_FRAME = 512 * 1024;

export interface InitialMessage {
  sid: bigint;
  /** "host:port" (V2 may list several joined by '|'); empty for the pre-3.5 form. */
  address: string;
}

export class InitialMessageError extends Error {}

export function encodeInitialMessage(sid: bigint, address: string): Buffer {
  const addr = Buffer.from(address, 'utf8');
  return new JuteWriter(20 + addr.length).long(ELECTION_PROTOCOL_V1).long(sid).int(addr.length).raw(addr).bytes();
}

/**
 * Parses the initial message at the start of `buf`: undefined while incomplete, else the
 * message and how many bytes it took. Throws InitialMessageError for an unknown protocol
 * version or an address length outside 1..2048.
 */
export function parseInitialMessage(buf: Buffer): { message: InitialMessage; length: number } | undefined {
  if (buf.length < 8) return undefined;
  const first = buf.readBigInt64BE(0);
  if (first >= 0n) return { message: { sid: first, address: '' }, length: 8 };
  if (first !== ELECTION_PROTOCOL_V1 && first !== ELECTION_PROTOCOL_V2) {
    throw new InitialMessageError(`unknown election protocol version ${first}`);
  }
  if (buf.length < 20) return undefined;
  const sid = buf.readBigInt64BE(8);
  const len = buf.readInt32BE(16);
  if (len <= 0 || len > MAX_ADDRESS_BYTES) throw new InitialMessageError(`election address of ${len} bytes`);
  if (buf.length < 20 + len) return undefined;
  return { message: { sid, address: buf.toString('utf8', 20, 20 + len) }, length: 20 + len };
}

/** "host:port", IPv6 hosts in brackets (QuorumServer's formatInetAddr). */
export function formatPeerAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One length-prefixed election frame. */
export function encodeElectionFrame(payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/** Splits a byte stream into election frames; throws InitialMessageError on a length outside 1..512 KiB. */
export class ElectionFrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    let offset = 0;
    while (this.pending.length - offset >= 4) {
      const len = this.pending.readInt32BE(offset);
      if (len <= 0 || len > MAX_ELECTION_FRAME) throw new InitialMessageError(`election frame of ${len} bytes`);
      if (this.pending.length - offset - 4 < len) break;
      frames.push(Buffer.from(this.pending.subarray(offset + 4, offset + 4 + len)));
      offset += 4 + len;
    }
    this.pending = this.pending.subarray(offset);
    return frames;
  }
}
