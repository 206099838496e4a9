// ApplyPacing: a big durable batch is applied over several turns of the event loop (slices
// bounded by the clock; with a zero budget each slice is one clock check's worth), in zxid
// order, with other work let in between, and idle() resolves once everything is applied.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { encodeRequestFrame } from '../../../../protocol/frames.js';
import { OpCode } from '../../../../protocol/ops.js';
import * as R from '../../../../protocol/records.js';
import { OPEN_ACL_UNSAFE } from '../../../../protocol/types.js';
import { RequestProcessor } from '../../../../server/requests/request-processor.js';
import type { Txn } from '../../../../server/requests/txn.js';
import { ApplyPacing } from '../../../../server/storage/apply-pacing.js';
import { FakeChannel, options } from '../support.js';

const NOW = 1_000_000;

function pipeline() {
  const appended: Txn[] = [];
  const proc = new RequestProcessor(options(), NOW, { append: (t) => (appended.push(t), false) });
  const ch = new FakeChannel();
  let answered = false;
  proc.connect(ch, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }, NOW, () => (answered = true));
  proc.durable(appended.at(-1)!.header.zxid, NOW); // the createSession
  expect(answered).toBe(true);
  return { proc, appended, ch };
}

const replyXids = (ch: FakeChannel) =>
  ch.decoded().filter((f) => f.kind === 'reply').map((f) => (f as { header: { xid: number } }).header.xid);

describe('ApplyPacing', () => {
  it('applies a large durable batch in slices across turns, in order, and lets other work in between', async () => {
    const { proc, appended, ch } = pipeline();
    const before = replyXids(ch).length;
    for (let i = 1; i <= 100; i++) {
      const frame = encodeRequestFrame(i, OpCode.create, R.CreateRequest, { path: `/p${i}`, data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
      proc.process(ch, frame.subarray(4), NOW);
    }
    const pacing = new ApplyPacing(proc, () => NOW, 0);
    pacing.durable(appended.at(-1)!.header.zxid);
    const firstSlice = replyXids(ch).length - before;
    expect(firstSlice).toBeGreaterThan(0);
    expect(firstSlice).toBeLessThan(100);
    let otherWorkRanAt: number | undefined;
    setImmediate(() => (otherWorkRanAt = replyXids(ch).length - before));
    await pacing.idle();
    expect(otherWorkRanAt).toBeDefined();
    expect(otherWorkRanAt!).toBeLessThan(100); // it ran before the batch was done
    expect(replyXids(ch).slice(before)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(proc.pendingTxns).toBe(0);
    expect(proc.tree.has('/p100')).toBe(true);
  });

  it('a later durable report joins the slices already scheduled; idle() is immediate when nothing waits', async () => {
    const { proc, appended, ch } = pipeline();
    const pacing = new ApplyPacing(proc, () => NOW, 0);
    await pacing.idle();
    for (let i = 1; i <= 60; i++) {
      proc.process(ch, encodeRequestFrame(i, OpCode.setData, R.SetDataRequest, { path: '/', data: Buffer.from([i]), version: -1 }).subarray(4), NOW);
    }
    const zxids = appended.slice(-60).map((t) => t.header.zxid);
    pacing.durable(zxids[29]!);
    await nextTurn();
    pacing.durable(zxids[59]!);
    await pacing.idle();
    expect(proc.pendingTxns).toBe(0);
    expect(proc.tree.get('/')!.version).toBe(60);
  });
});
