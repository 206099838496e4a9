// The machine's own share of event-loop lag: an idle Node process beside the servers, sampling
// its event-loop delay exactly as zabkit's `mntr` does (perf_hooks monitorEventLoopDelay, 10 ms,
// reported as how late each sample ran), reset and read with each measured window. Whatever it
// sees, no server could have done better on that machine at that moment: with 2 cores shared by
// other work, a runnable process often waits for one. ZooKeeper has no counterpart.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { EventLoopLagReading } from './target.js';

/** Runs in the probe process: 'reset' → 'ok', 'read' → one JSON line with the reading. */
const PROBE_SCRIPT = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const SAMPLE_MS = 10;
const h = monitorEventLoopDelay({ resolution: SAMPLE_MS });
h.enable();
const late = (ns) => Math.max(0, ns / 1e6 - SAMPLE_MS);
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'reset') { h.reset(); process.stdout.write('ok\\n'); }
  else if (line === 'read') {
    const r = h.count === 0 ? { p50Ms: 0, p99Ms: 0, maxMs: 0 } : { p50Ms: late(h.percentile(50)), p99Ms: late(h.percentile(99)), maxMs: late(h.max) };
    process.stdout.write(JSON.stringify(r) + '\\n');
  }
}).on('close', () => process.exit(0));
`;

export class LagProbe {
  private readonly replies: ((line: string) => void)[] = [];

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    createInterface({ input: child.stdout }).on('line', (line) => this.replies.shift()?.(line));
    child.on('error', () => undefined);
    child.stdin.on('error', () => undefined);
  }

  /** Starts the probe process; it exits when the bench closes its stdin (or dies). */
  static start(): LagProbe {
    return new LagProbe(spawn(process.execPath, ['-e', PROBE_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] }));
  }

  private ask(command: 'reset' | 'read'): Promise<string | undefined> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      // a probe that does not answer in time is given up, so no late answer is taken for another's
      const timer = setTimeout(() => {
        this.child.kill();
        resolve(undefined);
      }, 5000);
      this.replies.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      this.child.stdin.write(`${command}\n`);
    });
  }

  async reset(): Promise<void> {
    await this.ask('reset');
  }

  /** The lag since the last reset, or undefined if the probe did not answer. */
  async read(): Promise<EventLoopLagReading | undefined> {
    const line = await this.ask('read');
    if (line === undefined) return undefined;
    try {
      return JSON.parse(line) as EventLoopLagReading;
    } catch {
      return undefined;
    }
  }

  stop(): void {
    this.child.stdin.end();
  }
}
