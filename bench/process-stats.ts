// Resident memory and CPU time of a server process, read from /proc (Linux): VmRSS sampled while
// a run is measured (we report the peak), utime+stime before and after (CPU % of one core).

import { readFileSync } from 'node:fs';

/** VmRSS in bytes, or undefined when the process is gone or /proc is not there. */
export function readRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system, all threads) the process has used, from /proc/<pid>/stat. */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces; fields after its ")" are fixed
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** USER_HZ; 100 on every Linux build that matters here. */
const CLOCK_TICKS = 100;

/** The pids whose parent is `ppid` (for finding a server behind its launcher shell). */
export function childPids(ppid: number): number[] {
  try {
    const text = readFileSync(`/proc/${ppid}/task/${ppid}/children`, 'utf8').trim();
    if (text !== '') return text.split(/\s+/).map(Number);
  } catch {
    // fall through
  }
  return [];
}

export interface ProcessUsage {
  /** Peak VmRSS over the samples, MiB (summed over the pids of one target). */
  rssMbMax: number;
  /** CPU time over the window in % of one core (summed over the pids). */
  cpuPct: number;
}

/** Samples the pids every `intervalMs` until stop(). */
export class UsageSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly cpu0: number;
  private readonly t0 = performance.now();

  constructor(private readonly pids: readonly number[], intervalMs = 250) {
    this.cpu0 = this.cpu();
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private cpu(): number {
    return this.pids.reduce((sum, pid) => sum + (readCpuSeconds(pid) ?? 0), 0);
  }

  private sample(): void {
    const total = this.pids.reduce((sum, pid) => sum + (readRssBytes(pid) ?? 0), 0);
    if (total > this.peak) this.peak = total;
  }

  stop(): ProcessUsage {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.t0) / 1000;
    return { rssMbMax: this.peak / (1024 * 1024), cpuPct: seconds > 0 ? ((this.cpu() - this.cpu0) / seconds) * 100 : 0 };
  }
}
