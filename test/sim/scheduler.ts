// Simulated time for the Zab simulation: one event queue (a binary heap on (time, insertion
// order)), one seeded PRNG every random choice comes from, and a stamp counter that orders every
// client call and return exactly as the simulation executed them. Same seed, same run.
// Counterpart: none in ZooKeeper; the discrete-event core of FoundationDB-style simulation.

import { seededRandom } from '../support/prng.js';

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

export class Scheduler {
  /** Simulated milliseconds. */
  now = 0;
  readonly rand: () => number;
  private seq = 0;
  private stamps = 0;
  private readonly heap: Event[] = [];

  constructor(readonly seed: number) {
    this.rand = seededRandom(seed);
  }

  /** Runs `run` after `delay` ms (events at the same time run in the order they were added). */
  after(delay: number, run: () => void): void {
    this.push({ at: this.now + Math.max(0, delay), seq: this.seq++, run });
  }

  /** Runs every event due up to `end`, then sets the clock to `end`. */
  runUntil(end: number): void {
    while (this.heap.length > 0 && this.heap[0]!.at <= end) {
      const ev = this.pop();
      this.now = ev.at;
      ev.run();
    }
    this.now = Math.max(this.now, end);
  }

  /** A strictly increasing number: the position of "now" in the run's total order. */
  stamp(): number {
    return ++this.stamps;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return p > 0 && this.rand() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[Math.floor(this.rand() * items.length)]!;
  }

  private less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(ev: Event): void {
    const h = this.heap;
    h.push(ev);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
