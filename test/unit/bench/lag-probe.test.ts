// The idle lag probe: a real child process answering reset/read in order, and nothing once stopped.

import { describe, expect, it } from 'vitest';
import { LagProbe } from '../../../bench/lag-probe.js';

describe('LagProbe', () => {
  it('reads the lag since the last reset (p50 ≤ p99 ≤ max, all ≥ 0), then gives undefined once stopped', async () => {
    const probe = LagProbe.start();
    try {
      await probe.reset();
      await new Promise((r) => setTimeout(r, 100));
      const [a, b] = await Promise.all([probe.read(), probe.read()]);
      for (const r of [a, b]) {
        expect(r).toBeDefined();
        expect(r!.p50Ms).toBeGreaterThanOrEqual(0);
        expect(r!.p99Ms).toBeGreaterThanOrEqual(r!.p50Ms);
        expect(r!.maxMs).toBeGreaterThanOrEqual(r!.p99Ms);
      }
    } finally {
      probe.stop();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await probe.read()).toBeUndefined();
  });
});
