// Quorum wire codecs (protocol.md §12.2, §12.3, §13.2): QuorumPacket with its nulls, the
// payload records, the stream splitter, and FLE notifications in all four historical sizes.
// Expected bytes are written out by hand from the tables in protocol.md.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeAckEpoch, decodeForwardedRequest, decodeLearnerInfo, decodeNotification, decodePingTouches,
  decodeQuorumPacket, decodeRevalidateReply, decodeRevalidateRequest, encodeAckEpoch, encodeForwardedRequest,
  encodeLeaderInfo, encodeLearnerInfo, encodeNotification, encodePingTouches, encodeQuorumPacket,
  encodeRevalidateReply, encodeRevalidateRequest, PeerState, QuorumPacketDecoder, quorumPacket,
  quorumPacketLength, QuorumPacketType as T, quorumPacketTypeName, type QuorumPacket,
} from '../../../protocol/quorum.js';
import { JuteDecodeError } from '../../../protocol/jute/errors.js';
import { hex, int32, int64, toHex } from './support.js';

describe('QuorumPacketType', () => {
  it('has the Leader.java codes', () => {
    expect(T).toEqual({
      REQUEST: 1, PROPOSAL: 2, ACK: 3, COMMIT: 4, PING: 5, REVALIDATE: 6, SYNC: 7, INFORM: 8,
      COMMITANDACTIVATE: 9, NEWLEADER: 10, FOLLOWERINFO: 11, UPTODATE: 12, DIFF: 13, TRUNC: 14,
      SNAP: 15, OBSERVERINFO: 16, LEADERINFO: 17, ACKEPOCH: 18, INFORMANDACTIVATE: 19,
    });
    expect(quorumPacketTypeName(2)).toBe('PROPOSAL');
    expect(quorumPacketTypeName(99)).toBe('UNKNOWN(99)');
  });
});

describe('QuorumPacket', () => {
  it('ACK with null data and null authinfo', () => {
    const bytes = encodeQuorumPacket(quorumPacket(T.ACK, 0x100000002n));
    expect(toHex(bytes)).toBe(toHex(hex('00000003 | 0000000100000002 | ffffffff | ffffffff')));
    expect(decodeQuorumPacket(bytes)).toEqual({ type: 3, zxid: 0x100000002n, data: null, authinfo: null });
  });

  it('UPTODATE carries zxid -1', () => {
    const bytes = encodeQuorumPacket(quorumPacket(T.UPTODATE, -1n));
    expect(toHex(bytes)).toBe(toHex(hex('0000000c ffffffffffffffff ffffffff ffffffff')));
  });

  it('empty data and empty authinfo are distinct from null', () => {
    const bytes = encodeQuorumPacket(quorumPacket(T.PING, 5n, Buffer.alloc(0), []));
    expect(toHex(bytes)).toBe(toHex(hex('00000005 0000000000000005 00000000 00000000')));
    expect(decodeQuorumPacket(bytes)).toEqual({ type: 5, zxid: 5n, data: Buffer.alloc(0), authinfo: [] });
  });

  it('REQUEST with data and one auth id', () => {
    const data = encodeForwardedRequest({ sessionId: 0x0100000000000001n, cxid: 7, type: 1, body: Buffer.from([0xaa, 0xbb]) });
    expect(toHex(data)).toBe(toHex(hex('0100000000000001 00000007 00000001 aabb')));
    const p = quorumPacket(T.REQUEST, -1n, data, [{ scheme: 'ip', id: '1.2.3.4' }]);
    const bytes = encodeQuorumPacket(p);
    expect(toHex(bytes)).toBe(toHex(hex(
      '00000001 ffffffffffffffff 00000012' + toHex(data) + ' 00000001 00000002 6970 00000007 312e322e332e34',
    )));
    expect(decodeQuorumPacket(bytes)).toEqual(p);
    expect(decodeForwardedRequest(p.data)).toEqual({ sessionId: 0x0100000000000001n, cxid: 7, type: 1, body: Buffer.from([0xaa, 0xbb]) });
  });

  it('rejects trailing bytes and truncation', () => {
    const bytes = encodeQuorumPacket(quorumPacket(T.COMMIT, 1n));
    expect(() => decodeQuorumPacket(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(JuteDecodeError);
    expect(() => decodeQuorumPacket(bytes.subarray(0, bytes.length - 1))).toThrow(JuteDecodeError);
  });

  it('round-trips any packet', () => {
    const id = fc.record({ scheme: fc.string({ maxLength: 5 }), id: fc.string({ maxLength: 8 }) });
    fc.assert(fc.property(
      int32(), int64(), fc.option(fc.uint8Array({ maxLength: 40 })), fc.option(fc.array(id, { maxLength: 3 })),
      (type, zxid, data, authinfo) => {
        const p: QuorumPacket = { type, zxid, data: data === null ? null : Buffer.from(data), authinfo };
        expect(decodeQuorumPacket(encodeQuorumPacket(p))).toEqual(p);
      },
    ));
  });
});

describe('quorumPacketLength / QuorumPacketDecoder (no length prefix on the stream)', () => {
  const packets = [
    quorumPacket(T.PROPOSAL, 0x100000001n, Buffer.from('txn-bytes')),
    quorumPacket(T.COMMIT, 0x100000001n),
    quorumPacket(T.REQUEST, -1n, Buffer.alloc(20, 1), [{ scheme: 'digest', id: 'u:p' }, { scheme: 'ip', id: '::1' }]),
    quorumPacket(T.PING, 0x100000001n, Buffer.alloc(0), null),
  ];
  const stream = Buffer.concat(packets.map(encodeQuorumPacket));

  it('measures each packet and reports -1 when incomplete', () => {
    const first = encodeQuorumPacket(packets[0]!);
    expect(quorumPacketLength(stream, 0)).toBe(first.length);
    for (let cut = 0; cut < first.length; cut++) expect(quorumPacketLength(first.subarray(0, cut))).toBe(-1);
  });

  it('refuses a negative or oversized length before allocating', () => {
    expect(() => quorumPacketLength(hex('00000002 0000000000000001 fffffffe'))).toThrow(JuteDecodeError);
    expect(() => quorumPacketLength(hex('00000002 0000000000000001 7fffffff'), 0, 1024)).toThrow(JuteDecodeError);
  });

  it('splits a stream fed one byte at a time', () => {
    const d = new QuorumPacketDecoder();
    const got: QuorumPacket[] = [];
    for (const b of stream) got.push(...d.push(Buffer.from([b])));
    expect(got).toEqual(packets);
    expect(d.buffered).toBe(0);
  });

  it('splits a stream fed in arbitrary chunks', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 10 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const d = new QuorumPacketDecoder();
      const got: QuorumPacket[] = [];
      let from = 0;
      for (const p of [...points, stream.length]) {
        got.push(...d.push(stream.subarray(from, p)));
        from = p;
      }
      expect(got).toEqual(packets);
    }));
  });
});

describe('payloads', () => {
  it('LearnerInfo is 20 bytes: long sid, int 0x10000, long configVersion', () => {
    const b = encodeLearnerInfo({ serverId: 3n, protocolVersion: 0x10000, configVersion: 0x100000000n });
    expect(toHex(b)).toBe(toHex(hex('0000000000000003 00010000 0000000100000000')));
    expect(decodeLearnerInfo(b)).toEqual({ serverId: 3n, protocolVersion: 0x10000, configVersion: 0x100000000n });
  });

  it('LearnerInfo accepts the 8- and 12-byte legacy forms', () => {
    expect(decodeLearnerInfo(hex('0000000000000002'))).toEqual({ serverId: 2n, protocolVersion: 0, configVersion: 0n });
    expect(decodeLearnerInfo(hex('0000000000000002 00010000'))).toEqual({ serverId: 2n, protocolVersion: 0x10000, configVersion: 0n });
    expect(() => decodeLearnerInfo(hex('00'))).toThrow(JuteDecodeError);
  });

  it('LEADERINFO and ACKEPOCH carry one int', () => {
    expect(toHex(encodeLeaderInfo())).toBe('00010000');
    expect(toHex(encodeAckEpoch(4))).toBe('00000004');
    expect(toHex(encodeAckEpoch(-1))).toBe('ffffffff');
    expect(decodeAckEpoch(hex('ffffffff'))).toBe(-1);
    expect(() => decodeAckEpoch(null)).toThrow(JuteDecodeError);
  });

  it('PING touches are {long sessionId; int timeout} back to back', () => {
    const touches = [{ sessionId: 0x100n, timeout: 30000 }, { sessionId: -5n, timeout: 4000 }];
    const b = encodePingTouches(touches);
    expect(toHex(b)).toBe(toHex(hex('0000000000000100 00007530 fffffffffffffffb 00000fa0')));
    expect(decodePingTouches(b)).toEqual(touches);
    expect(decodePingTouches(null)).toEqual([]);
    expect(() => decodePingTouches(hex('0001'))).toThrow(JuteDecodeError);
  });

  it('REVALIDATE request and reply', () => {
    expect(toHex(encodeRevalidateRequest({ sessionId: 9n, timeout: 5000 }))).toBe(toHex(hex('0000000000000009 00001388')));
    expect(decodeRevalidateRequest(hex('0000000000000009 00001388'))).toEqual({ sessionId: 9n, timeout: 5000 });
    expect(toHex(encodeRevalidateReply(9n, true))).toBe(toHex(hex('0000000000000009 01')));
    expect(decodeRevalidateReply(hex('0000000000000009 00'))).toEqual({ sessionId: 9n, valid: false });
  });
});

describe('FLE notification (§13.2)', () => {
  const config = 'server.1=a:2888:3888:participant\nversion=0';
  const current = hex(
    '00000000 0000000000000001 0000000200000005 0000000000000003 0000000000000002 00000002'
    + ` ${Buffer.byteLength(config).toString(16).padStart(8, '0')}`,
  );

  it('encodes the version-2 layout with the config text', () => {
    const b = encodeNotification({
      state: PeerState.LOOKING, leader: 1n, zxid: 0x200000005n, electionEpoch: 3n, peerEpoch: 2n, config,
    });
    expect(toHex(b)).toBe(toHex(Buffer.concat([current, Buffer.from(config)])));
    expect(decodeNotification(b)).toEqual({
      state: 0, leader: 1n, zxid: 0x200000005n, electionEpoch: 3n, peerEpoch: 2n, version: 2, config,
    });
  });

  it('a 28-byte message takes peerEpoch from the zxid', () => {
    const b = hex('00000002 0000000000000007 0000000400000001 0000000000000009');
    expect(decodeNotification(b)).toEqual({
      state: PeerState.LEADING, leader: 7n, zxid: 0x400000001n, electionEpoch: 9n, peerEpoch: 4n, version: 0, config: null,
    });
  });

  it('a 40-byte message (buildMsg with version 1) is read as version 0: its trailing int is ignored', () => {
    const b = hex('00000001 0000000000000007 0000000400000001 0000000000000009 0000000000000005 00000001');
    expect(b.length).toBe(40);
    expect(decodeNotification(b)).toMatchObject({ state: PeerState.FOLLOWING, peerEpoch: 5n, version: 0, config: null });
  });

  it('a version-1 message of another size has a version but no config', () => {
    const b = hex('00000003 0000000000000007 0000000400000001 0000000000000009 0000000000000005 00000001 00000000');
    expect(decodeNotification(b)).toMatchObject({ state: PeerState.OBSERVING, version: 1, config: null });
  });

  it('drops short messages, unknown states and bad config lengths', () => {
    expect(() => decodeNotification(Buffer.alloc(27))).toThrow(JuteDecodeError);
    expect(() => decodeNotification(Buffer.alloc(36))).toThrow(JuteDecodeError); // no room for the version
    expect(() => decodeNotification(Buffer.concat([hex('00000004'), Buffer.alloc(24)]))).toThrow(JuteDecodeError);
    const bad = Buffer.from(current);
    bad.writeInt32BE(1000, 40);
    expect(() => decodeNotification(bad)).toThrow(JuteDecodeError);
  });

  it('observer votes of Long.MIN_VALUE survive the round trip', () => {
    const min = -(2n ** 63n);
    const b = encodeNotification({ state: PeerState.OBSERVING, leader: min, zxid: min, electionEpoch: 1n, peerEpoch: min, config: '' });
    expect(b.length).toBe(44);
    expect(decodeNotification(b)).toMatchObject({ leader: min, zxid: min, peerEpoch: min, config: '' });
  });
});
