// Splits the quorum stream (protocol.md §12.2: QuorumPackets back to back, no framing) into
// packets; on the learner's side a SNAP packet is followed by the leader's snapshot stream,
// which is collected whole and handed over with the SNAP packet. Packets larger than the limit
// are refused before they are buffered whole. Counterpart: the BinaryInputArchive reads of
// Learner.readPacket / LearnerHandler.run and Learner.syncWithLeader's deserializeSnapshot.

import { JuteReader } from '../../protocol/jute/reader.js';
import { quorumPacketLength, QuorumPacketType, readQuorumPacket, type QuorumPacket } from '../../protocol/quorum.js';
import { SnapshotStreamScanner } from './snapshot-stream.js';

export interface InboundPacket {
  packet: QuorumPacket;
  /** SNAP only (learner side): the snapshot file bytes that followed it. */
  snapshot?: Buffer;
}

export class QuorumStreamReader {
  private pending: Buffer = Buffer.alloc(0);
  private snapshot: { packet: QuorumPacket; scanner: SnapshotStreamScanner } | undefined;

  /**
   * `snapshotAfterSnap`: true on a learner's connection, where SNAP carries the tree.
   * Throws JuteDecodeError / SnapshotStreamError from push on malformed input.
   */
  constructor(
    private readonly maxPacketBytes: number,
    private readonly snapshotAfterSnap: boolean,
  ) {}

  push(chunk: Buffer): InboundPacket[] {
    const out: InboundPacket[] = [];
    let data = chunk;
    for (;;) {
      if (this.snapshot) {
        const done = this.snapshot.scanner.push(data);
        if (!done) return out;
        out.push({ packet: this.snapshot.packet, snapshot: done.snapshot });
        this.snapshot = undefined;
        data = done.rest;
      }
      this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
      let offset = 0;
      let snapAt = -1;
      for (;;) {
        const len = quorumPacketLength(this.pending, offset, this.maxPacketBytes);
        if (len < 0) break;
        const packet = readQuorumPacket(new JuteReader(this.pending, offset, offset + len));
        offset += len;
        if (this.snapshotAfterSnap && packet.type === QuorumPacketType.SNAP) {
          this.snapshot = { packet, scanner: new SnapshotStreamScanner() };
          snapAt = offset;
          break;
        }
        out.push({ packet });
      }
      if (snapAt < 0) {
        this.pending = offset === 0 ? this.pending : Buffer.from(this.pending.subarray(offset));
        return out;
      }
      data = Buffer.from(this.pending.subarray(snapAt));
      this.pending = Buffer.alloc(0);
    }
  }
}
