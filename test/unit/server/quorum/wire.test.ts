// The byte-level parts of the quorum driver: the election connection's initial message and
// frames, the snapshot stream that follows SNAP (found by walking its records, whatever the
// chunking), and the quorum stream reader that hands a SNAP over together with its tree.

import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../../../../protocol/types.js';
import { encodeQuorumPacket, quorumPacket, QuorumPacketType as T } from '../../../../protocol/quorum.js';
import { JuteWriter } from '../../../../protocol/jute/writer.js';
import { DataTree } from '../../../../server/data/data-tree.js';
import { decodeSnapshot } from '../../../../server/storage/snapshot-format.js';
import {
  ElectionFrameReader, encodeElectionFrame, encodeInitialMessage, InitialMessageError, parseInitialMessage,
} from '../../../../server/quorum/initial-message.js';
import { QuorumStreamReader } from '../../../../server/quorum/packet-reader.js';
import { encodeSnapshotStream, SnapshotStreamError, SnapshotStreamScanner } from '../../../../server/quorum/snapshot-stream.js';
import { seededRandom } from '../../../support/prng.js';

/** Splits `buf` into random-sized chunks (1..max bytes). */
function chunks(buf: Buffer, seed: number, max = 37): Buffer[] {
  const rand = seededRandom(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length;) {
    const n = 1 + Math.floor(rand() * max);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('election initial message', () => {
  it('round-trips the V1 form: version, sid, "host:port"', () => {
    const bytes = encodeInitialMessage(3n, '127.0.0.1:3888');
    expect(bytes.readBigInt64BE(0)).toBe(-65536n);
    expect(bytes.length).toBe(20 + '127.0.0.1:3888'.length);
    for (let cut = 0; cut < bytes.length; cut++) expect(parseInitialMessage(bytes.subarray(0, cut))).toBeUndefined();
    expect(parseInitialMessage(Buffer.concat([bytes, Buffer.from([9, 9])]))).toEqual({
      message: { sid: 3n, address: '127.0.0.1:3888' }, length: bytes.length,
    });
  });

  it('takes a first long >= 0 as the pre-3.5 form (the sid alone)', () => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(5n);
    expect(parseInitialMessage(b)).toEqual({ message: { sid: 5n, address: '' }, length: 8 });
  });

  it('refuses an unknown protocol version and address lengths outside 1..2048', () => {
    const bad = Buffer.alloc(8);
    bad.writeBigInt64BE(-7n);
    expect(() => parseInitialMessage(bad)).toThrow(InitialMessageError);
    const header = (len: number) => new JuteWriter(20).long(-65536n).long(1n).int(len).bytes();
    expect(() => parseInitialMessage(header(0))).toThrow(/election address of 0 bytes/);
    expect(() => parseInitialMessage(header(2049))).toThrow(/2049 bytes/);
  });

  it('frames notifications with an int32 length, refusing 0 and lengths over 512 KiB', () => {
    const frames = [Buffer.from('a'), Buffer.alloc(300, 7), Buffer.from('xyz')];
    const stream = Buffer.concat(frames.map(encodeElectionFrame));
    const reader = new ElectionFrameReader();
    const got = chunks(stream, 1, 5).flatMap((c) => reader.push(c));
    expect(got).toEqual(frames);
    const zero = Buffer.alloc(4);
    expect(() => new ElectionFrameReader().push(zero)).toThrow(/frame of 0 bytes/);
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(512 * 1024 + 1);
    expect(() => new ElectionFrameReader().push(huge)).toThrow(InitialMessageError);
  });
});

function sampleTree(): DataTree {
  const tree = new DataTree();
  tree.createNode('/a', Buffer.from('alpha'), OPEN_ACL_UNSAFE, 0n, 0, 5n, 100n);
  tree.createNode('/a/b', null, [{ perms: 1, id: { scheme: 'digest', id: 'u:p' } }], 0x22n, 0, 6n, 100n);
  tree.createNode('/c', Buffer.alloc(5000, 1), OPEN_ACL_UNSAFE, 0n, 0, 7n, 100n);
  return tree;
}

describe('snapshot stream after SNAP', () => {
  const sessions = new Map([[0x22n, 6000], [0x23n, 9000]]);
  const stream = encodeSnapshotStream(7n, sessions, sampleTree().entries());
  const after = encodeQuorumPacket(quorumPacket(T.NEWLEADER, 1n << 32n, Buffer.from('cfg')));

  it('is found whole in any chunking, with the bytes after the signature handed back', () => {
    for (const seed of [1, 2, 3, 4]) {
      const scanner = new SnapshotStreamScanner();
      let done: ReturnType<SnapshotStreamScanner['push']>;
      const parts = chunks(Buffer.concat([stream, after]), seed, seed === 4 ? 4000 : 29);
      let i = 0;
      for (; i < parts.length; i++) if ((done = scanner.push(parts[i]!))) break;
      expect(done!).toBeDefined();
      const rest = Buffer.concat([done!.rest, ...parts.slice(i + 1)]);
      expect(rest).toEqual(after);
      const decoded = decodeSnapshot(done!.snapshot);
      expect(decoded.zxid).toBe(7n);
      expect(decoded.sessions).toEqual(sessions);
      expect(decoded.nodes.map(([p]) => p).sort()).toEqual(['/', '/a', '/a/b', '/c', '/zookeeper', '/zookeeper/config', '/zookeeper/quota']);
    }
  });

  it('refuses a stream that is not a snapshot or lacks the signature', () => {
    expect(() => new SnapshotStreamScanner().push(Buffer.alloc(64, 1))).toThrow(SnapshotStreamError);
    const noSig = Buffer.concat([stream.subarray(0, stream.length - 14), new JuteWriter(16).ustring('NotBenHere').bytes()]);
    expect(() => new SnapshotStreamScanner().push(noSig)).toThrow(/missing signature/);
  });

  it('the quorum stream reader hands SNAP over with its tree on a learner, and not on a leader', () => {
    const packets = [
      quorumPacket(T.LEADERINFO, 1n << 32n, Buffer.from([0, 1, 0, 0])),
      quorumPacket(T.SNAP, 7n),
    ];
    const bytes = Buffer.concat([encodeQuorumPacket(packets[0]!), encodeQuorumPacket(packets[1]!), stream, after]);
    for (const seed of [5, 6, 7]) {
      const reader = new QuorumStreamReader(1 << 20, true);
      const got = chunks(bytes, seed, 100).flatMap((c) => reader.push(c));
      expect(got.map((g) => g.packet.type)).toEqual([T.LEADERINFO, T.SNAP, T.NEWLEADER]);
      expect(decodeSnapshot(got[1]!.snapshot!).zxid).toBe(7n);
      expect(got[2]!.snapshot).toBeUndefined();
    }
    const leaderSide = new QuorumStreamReader(1 << 20, false);
    expect(leaderSide.push(Buffer.concat([encodeQuorumPacket(packets[1]!), after])).map((g) => g.packet.type)).toEqual([T.SNAP, T.NEWLEADER]);
  });

  it('refuses a packet over the size limit before it is buffered whole', () => {
    const big = encodeQuorumPacket(quorumPacket(T.PROPOSAL, 1n, Buffer.alloc(2000)));
    expect(() => new QuorumStreamReader(1000, false).push(big.subarray(0, 20))).toThrow(/bad data length 2000/);
  });
});
