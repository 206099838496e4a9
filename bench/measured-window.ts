// The measured window of a closed-loop load: replies are counted (latency into an HDR
// histogram, errors with the first code) only between open() and close(), and close() gives
// ops/s and this process's CPU over the window. Shared by the wire-level load and the
// client-library comparison so both report the same way.

import { LatencyHistogram, type LatencySummary } from './histogram.js';

export interface WindowResult {
  ops: number;
  /** Replies with a non-zero error code inside the window. */
  errors: number;
  /** The first such error code, for the report. */
  firstErrorCode: number | undefined;
  elapsedMs: number;
  opsPerSec: number;
  latency: LatencySummary;
  /** CPU time of this (load generator) process over the window, in % of one core. */
  clientCpuPct: number;
}

export class MeasuredWindow {
  readonly histogram = new LatencyHistogram();
  private measuring = false;
  private ops = 0;
  private errors = 0;
  private firstErrorCode: number | undefined;
  private startedAt = 0;
  private cpuAtStart: NodeJS.CpuUsage | undefined;

  /** One reply, sent at `sentAt` (performance.now()), with its error code. */
  record(sentAt: number, code: number): void {
    if (!this.measuring) return;
    this.histogram.recordMs(performance.now() - sentAt);
    this.ops++;
    if (code !== 0) {
      this.errors++;
      this.firstErrorCode ??= code;
    }
  }

  open(): void {
    this.measuring = true;
    this.cpuAtStart = process.cpuUsage();
    this.startedAt = performance.now();
  }

  close(): WindowResult {
    this.measuring = false;
    const elapsedMs = performance.now() - this.startedAt;
    const cpu = process.cpuUsage(this.cpuAtStart);
    return {
      ops: this.ops,
      errors: this.errors,
      firstErrorCode: this.firstErrorCode,
      elapsedMs,
      opsPerSec: (this.ops * 1000) / elapsedMs,
      latency: this.histogram.summary(),
      clientCpuPct: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
    };
  }
}
