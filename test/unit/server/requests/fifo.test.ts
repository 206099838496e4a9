// Fifo: order, peek/shift on empty, and that a long-lived queue that never runs empty keeps
// neither taken items nor an ever-growing array.

import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../../server/requests/fifo.js';

describe('Fifo', () => {
  it('first in, first out; peek leaves the item; empty gives undefined', () => {
    const q = new Fifo<number>();
    expect(q.peek()).toBeUndefined();
    expect(q.shift()).toBeUndefined();
    q.push(1);
    q.push(2);
    expect(q.peek()).toBe(1);
    expect(q.length).toBe(2);
    expect(q.shift()).toBe(1);
    q.push(3);
    expect([q.shift(), q.shift(), q.shift()]).toEqual([2, 3, undefined]);
    expect(q.length).toBe(0);
  });

  it('a queue that never runs empty stays bounded and keeps nothing it gave out', () => {
    const q = new Fifo<{ n: number }>();
    const taken = new Set<{ n: number }>();
    for (let i = 0; i < 10; i++) q.push({ n: i });
    let outOfOrder = 0;
    for (let i = 10; i < 100_000; i++) {
      q.push({ n: i });
      const item = q.shift()!;
      if (item.n !== i - 10) outOfOrder++;
      if (i % 9973 === 0) taken.add(item);
    }
    expect(outOfOrder).toBe(0);
    expect(q.length).toBe(10);
    const slots = (q as unknown as { items: unknown[] }).items;
    expect(slots.length).toBeLessThan(2100);
    for (const item of taken) expect(slots).not.toContain(item);
    expect(slots.filter((s) => s !== undefined)).toHaveLength(10);
  });
});
