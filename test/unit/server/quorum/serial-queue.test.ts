// The driver's serial queue: synchronous when idle, strictly ordered, a waiting task holds back
// every later one (including tasks queued by tasks), errors are reported and skipped.

import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../../../server/quorum/serial-queue.js';

describe('SerialQueue', () => {
  it('runs a task at once when idle, and tasks queued by a task after it', () => {
    const q = new SerialQueue((e) => { throw e; });
    const order: string[] = [];
    q.run(() => {
      order.push('a');
      q.run(() => void order.push('c'));
      order.push('b');
    });
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('holds every later task back while one waits, in order', async () => {
    const q = new SerialQueue((e) => { throw e; });
    const order: string[] = [];
    let release!: () => void;
    q.run(() => new Promise<void>((r) => (release = r)).then(() => void order.push('slow')));
    q.run(() => void order.push('next'));
    q.run(() => void order.push('last'));
    expect(order).toEqual([]);
    expect(q.busy).toBe(true);
    release();
    await q.idle();
    expect(order).toEqual(['slow', 'next', 'last']);
    expect(q.busy).toBe(false);
  });

  it('reports a failing task and goes on; stop drops what is queued', async () => {
    const errors: unknown[] = [];
    const q = new SerialQueue((e) => errors.push(e));
    const ran: string[] = [];
    q.run(() => { throw new Error('boom'); });
    q.run(() => Promise.reject(new Error('late boom')));
    q.run(() => void ran.push('after'));
    await q.idle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom', 'late boom']);
    expect(ran).toEqual(['after']);
    let release!: () => void;
    q.run(() => new Promise<void>((r) => (release = r)));
    q.run(() => void ran.push('dropped'));
    q.stop();
    release();
    await q.idle();
    await new Promise((r) => setTimeout(r, 10));
    expect(ran).toEqual(['after']);
  });
});
