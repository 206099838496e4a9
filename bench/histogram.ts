// Latency histograms: HdrHistogram (hdr-histogram-js) recording microseconds with 3 significant
// digits, summarised in milliseconds for the table and the JSON.

import { build, type Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  private readonly h: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000, // 60 s; autoResize covers anything longer
    numberOfSignificantValueDigits: 3,
  });

  /** Records one latency given in milliseconds (sub-microsecond values count as 1 µs). */
  recordMs(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.h.totalCount;
  }

  add(other: LatencyHistogram): void {
    this.h.add(other.h);
  }

  reset(): void {
    this.h.reset();
  }

  summary(): LatencySummary {
    const ms = (us: number): number => us / 1000;
    if (this.h.totalCount === 0) return { count: 0, meanMs: 0, p50Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
    return {
      count: this.h.totalCount,
      meanMs: ms(this.h.mean),
      p50Ms: ms(this.h.getValueAtPercentile(50)),
      p99Ms: ms(this.h.getValueAtPercentile(99)),
      p999Ms: ms(this.h.getValueAtPercentile(99.9)),
      maxMs: ms(this.h.maxValue),
    };
  }
}
