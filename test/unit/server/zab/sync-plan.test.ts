// DIFF / TRUNC / SNAP (protocol.md §12.5, LearnerHandler.syncFollower): one row per branch.

import { describe, expect, it } from 'vitest';
import { planSync, type SyncPlanInput } from '../../../../server/zab/sync-plan.js';

const z = (epoch: number, counter: number) => (BigInt(epoch) << 32n) | BigInt(counter);
const range = (epoch: number, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => z(epoch, from + i));

// Leader history: epoch 1 txns 1..5, epoch 2 txns 1..3; in memory: 1/3 .. 2/3.
const memory = [...range(1, 3, 5), ...range(2, 1, 3)];
const disk = [...range(1, 1, 5), ...range(2, 1, 3)];
const base: Omit<SyncPlanInput, 'peerLastZxid'> = { lastProcessedZxid: z(2, 3), committedLog: memory };

describe('planSync', () => {
  it.each<[string, Partial<SyncPlanInput> & { peerLastZxid: bigint }, object]>([
    ['in sync: empty DIFF at the peer zxid',
      { peerLastZxid: z(2, 3) },
      { kind: 'DIFF', zxid: z(2, 3), fromCommittedLog: [], lastQueued: z(2, 3) }],
    ['behind within memory: DIFF(max) + the txns after the peer',
      { peerLastZxid: z(1, 4) },
      { kind: 'DIFF', zxid: z(2, 3), fromCommittedLog: [z(1, 5), z(2, 1), z(2, 2), z(2, 3)], lastQueued: z(2, 3) }],
    ['at the window start: DIFF with everything after it',
      { peerLastZxid: z(1, 3) },
      { kind: 'DIFF', zxid: z(2, 3), fromCommittedLog: [z(1, 4), z(1, 5), z(2, 1), z(2, 2), z(2, 3)] }],
    ['ahead of everything (a former leader, same epoch): TRUNC(max)',
      { peerLastZxid: z(2, 7) },
      { kind: 'TRUNC', zxid: z(2, 3), fromCommittedLog: [], lastQueued: z(2, 3) }],
    ['ahead in an old epoch beyond the leader\'s history: TRUNC to the leader\'s last zxid',
      { peerLastZxid: z(1, 9), lastProcessedZxid: z(1, 5), committedLog: range(1, 3, 5) },
      { kind: 'TRUNC', zxid: z(1, 5), fromCommittedLog: [] }],
    ['a fresh-epoch zxid ahead of the log is never truncated (it has no txns to cut): SNAP',
      { peerLastZxid: z(3, 0) },
      { kind: 'SNAP', zxid: z(2, 3) }],
    ['diverged inside the window, same epoch: TRUNC(last below) + the rest',
      { peerLastZxid: z(2, 2) + 0n, committedLog: [...range(1, 3, 5), z(2, 1), z(2, 3)], lastProcessedZxid: z(2, 3) },
      { kind: 'TRUNC', zxid: z(2, 1), fromCommittedLog: [z(2, 3)], lastQueued: z(2, 3) }],
    ['diverged inside the window across an epoch boundary: SNAP',
      { peerLastZxid: z(1, 7), committedLog: [...range(1, 3, 5), ...range(2, 1, 3)] },
      { kind: 'SNAP', zxid: z(2, 3), lastQueued: z(2, 3) }],
    ['fresh-epoch zxid inside the window (not in the log): DIFF with what follows',
      { peerLastZxid: z(2, 0) },
      { kind: 'DIFF', zxid: z(2, 3), fromCommittedLog: [z(2, 1), z(2, 2), z(2, 3)] }],
    ['older than memory, no txn-log sync: SNAP',
      { peerLastZxid: z(1, 1) },
      { kind: 'SNAP', zxid: z(2, 3) }],
    ['older than memory, txn log covers it: DIFF from disk then memory',
      { peerLastZxid: z(1, 1), txnLog: disk },
      { kind: 'DIFF', zxid: z(2, 3), fromTxnLog: [z(1, 2), z(1, 3)], fromCommittedLog: [z(1, 4), z(1, 5), z(2, 1), z(2, 2), z(2, 3)], lastQueued: z(2, 3) }],
    ['txn log starts after the peer: SNAP',
      { peerLastZxid: z(1, 1), txnLog: range(1, 2, 5) },
      { kind: 'SNAP', zxid: z(2, 3) }],
    ['gap between the txn log and memory: SNAP',
      { peerLastZxid: z(1, 1), txnLog: range(1, 1, 2) },
      { kind: 'SNAP', zxid: z(2, 3) }],
    ['forced snapshot sync',
      { peerLastZxid: z(2, 3), forceSnap: true },
      { kind: 'SNAP', zxid: z(2, 3) }],
    ['empty committed log, peer behind: SNAP',
      { peerLastZxid: z(1, 1), committedLog: [], lastProcessedZxid: z(1, 5) },
      { kind: 'SNAP', zxid: z(1, 5) }],
    ['empty committed log, peer ahead: TRUNC(lastProcessed)',
      { peerLastZxid: z(1, 6), committedLog: [], lastProcessedZxid: z(1, 5) },
      { kind: 'TRUNC', zxid: z(1, 5) }],
    ['empty committed log, fresh peer of a later epoch: SNAP (ZooKeeper\'s unhandled branch)',
      { peerLastZxid: z(2, 0), committedLog: [], lastProcessedZxid: z(1, 5) },
      { kind: 'SNAP', zxid: z(1, 5) }],
    ['fresh-epoch peer whose epoch start the leader has passed, history in memory: DIFF',
      { peerLastZxid: z(2, 0), committedLog: [...range(1, 4, 5), z(2, 1)], lastProcessedZxid: z(2, 1) },
      { kind: 'DIFF', zxid: z(2, 1), fromCommittedLog: [z(2, 1)] }],
    ['brand-new learner (zxid 0) below the in-memory window, no txn-log sync: SNAP',
      { peerLastZxid: 0n, committedLog: range(1, 1, 2), lastProcessedZxid: z(1, 2) },
      { kind: 'SNAP' }],
    ['brand-new learner whose zxid 0 the txn log covers: DIFF from disk',
      { peerLastZxid: 0n, committedLog: range(1, 1, 2), lastProcessedZxid: z(1, 2), txnLog: [0n, ...range(1, 1, 2)] },
      { kind: 'DIFF', zxid: z(1, 2), fromTxnLog: [z(1, 1)], fromCommittedLog: [z(1, 2)] }],
  ])('%s', (_name, input, expected) => {
    expect(planSync({ ...base, ...input })).toMatchObject(expected);
  });

  it('never sends a zxid at or below the peer, and sends in increasing order', () => {
    for (let c = 1; c <= 5; c++) {
      const plan = planSync({ ...base, peerLastZxid: z(1, c), txnLog: disk });
      if (plan.kind === 'SNAP') continue;
      const sent = [...plan.fromTxnLog, ...plan.fromCommittedLog];
      expect(sent.every((x) => x > z(1, c))).toBe(true);
      expect([...sent].sort((a, b) => (a < b ? -1 : 1))).toEqual(sent);
    }
  });
});
