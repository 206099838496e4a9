// The progress line on stderr: rewritten in place on a terminal, a line per step otherwise (so a
// log file gets a readable trace, not thousands of carriage returns).

import { formatMs, formatOps } from './table.js';
import type { LoadProgress } from './load.js';

export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

export class ProgressLine {
  private shown = false;

  constructor(private readonly out: ProgressOutput | undefined) {}

  /** A transient status (replaced by the next one on a terminal; skipped in a log). */
  status(text: string): void {
    if (this.out?.isTTY !== true) return;
    this.out.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  /** A line that stays. */
  log(text: string): void {
    if (this.out === undefined) return;
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
    this.out.write(`${text}\n`);
  }

  load(prefix: string, p: LoadProgress): void {
    const p99 = p.phase === 'measure' ? ` · p99 ${formatMs(p.p99Ms)} ms` : '';
    this.status(`${prefix} · ${p.phase} ${p.elapsedS.toFixed(1)}/${p.phaseS.toFixed(0)} s · ${formatOps(p.recentOpsPerSec)} ops/s${p99}`);
  }

  done(): void {
    if (this.shown) this.out?.write('\r\x1b[2K');
    this.shown = false;
  }
}
