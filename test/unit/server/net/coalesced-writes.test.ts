// CoalescedWrites: one socket write per tick, copied together when small, corked when big.

import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CoalescedWrites } from '../../../../server/net/coalesced-writes.js';

function fakeSocket() {
  const calls: (string | Buffer)[] = [];
  const socket = {
    destroyed: false,
    writableEnded: false,
    write(b: Buffer) { calls.push(Buffer.from(b)); return true; },
    cork() { calls.push('cork'); },
    uncork() { calls.push('uncork'); },
  };
  return { socket, calls, asSocket: socket as unknown as Socket };
}

const tick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('CoalescedWrites', () => {
  it('writes the small frames of one tick as one buffer, in order, once the tick ends', async () => {
    const { calls, asSocket } = fakeSocket();
    const w = new CoalescedWrites(asSocket);
    w.write(Buffer.from('ab'));
    w.write(Buffer.from('cd'));
    w.write(Buffer.from('e'));
    expect(calls).toEqual([]);
    await tick();
    expect(calls).toEqual([Buffer.from('abcde')]);
    w.write(Buffer.from('f'));
    await tick();
    expect(calls).toEqual([Buffer.from('abcde'), Buffer.from('f')]);
  });

  it('writes a batch holding a big buffer corked, buffer by buffer, without copying it', async () => {
    const { calls, asSocket } = fakeSocket();
    const w = new CoalescedWrites(asSocket);
    const big = Buffer.alloc(300 * 1024, 7);
    w.write(Buffer.from('head'));
    w.write(big);
    await tick();
    expect(calls).toEqual(['cork', Buffer.from('head'), big, 'uncork']);
  });

  it('flush() writes at once; the end-of-tick flush then has nothing left to write', async () => {
    const { calls, asSocket } = fakeSocket();
    const w = new CoalescedWrites(asSocket);
    w.write(Buffer.from('x'));
    w.flush();
    expect(calls).toEqual([Buffer.from('x')]);
    await tick();
    expect(calls).toHaveLength(1);
  });

  it('drops what is queued for a socket destroyed or ended meanwhile', async () => {
    const { socket, calls, asSocket } = fakeSocket();
    const w = new CoalescedWrites(asSocket);
    w.write(Buffer.from('x'));
    socket.destroyed = true;
    await tick();
    socket.destroyed = false;
    socket.writableEnded = true;
    w.write(Buffer.from('y'));
    await tick();
    expect(calls).toEqual([]);
  });
});
