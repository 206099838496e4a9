// CommitQueue: only a durable prefix is handed out, oldest first; a stale durability report
// changes nothing.

import { describe, expect, it } from 'vitest';
import { OpCode } from '../../../../protocol/ops.js';
import { CommitQueue } from '../../../../server/requests/commit-queue.js';
import type { Txn } from '../../../../server/requests/txn.js';

function txn(zxid: bigint): Txn {
  return {
    header: { clientId: 1n, cxid: Number(zxid), zxid, time: 0n, type: OpCode.error },
    record: { type: OpCode.error, body: { err: 0 } },
  };
}

describe('CommitQueue', () => {
  it('hands out txns in zxid order, and only up to the newest durable zxid', () => {
    const q = new CommitQueue();
    for (const z of [1n, 2n, 3n]) q.push(txn(z), () => undefined);
    expect(q.hasDurable).toBe(false);
    expect(q.takeDurable()).toBeUndefined();
    q.markDurable(2n);
    expect(q.takeDurable()?.txn.header.zxid).toBe(1n);
    expect(q.takeDurable()?.txn.header.zxid).toBe(2n);
    expect(q.hasDurable).toBe(false);
    expect(q.takeDurable()).toBeUndefined();
    expect(q.length).toBe(1);
  });

  it('ignores a report older than one already seen, and remembers one made before the txn was queued', () => {
    const q = new CommitQueue();
    q.markDurable(5n);
    q.markDurable(3n);
    q.push(txn(4n), () => undefined);
    q.push(txn(5n), () => undefined);
    q.push(txn(6n), () => undefined);
    expect([q.takeDurable(), q.takeDurable(), q.takeDurable()].map((s) => s?.txn.header.zxid)).toEqual([4n, 5n, undefined]);
    expect(q.length).toBe(1);
  });

  it("keeps each txn's callback with it", () => {
    const q = new CommitQueue();
    const seen: bigint[] = [];
    for (const z of [7n, 8n]) q.push(txn(z), () => seen.push(z));
    q.markDurable(8n);
    for (let s = q.takeDurable(); s !== undefined; s = q.takeDurable()) s.done({ err: 0 });
    expect(seen).toEqual([7n, 8n]);
  });
});
