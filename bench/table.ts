// The side-by-side table: one row per (mode, scenario), each cell "zabkit / ZooKeeper ratio" with
// ratio = zabkit ÷ ZooKeeper, as Markdown so it pastes into docs/performance.md. Runs that could
// not happen show "n/a" or "failed" and get a footnote with the reason. Pure.

import { Footnotes, markdownTable } from './markdown-table.js';
import type { Measurement, RunResult } from './results.js';

/** 950 → "950", 1234 → "1.23k", 31234 → "31.2k", 123456 → "123k". */
export function formatOps(v: number): string {
  if (v < 1000) return String(Math.round(v));
  const k = v / 1000;
  return `${k < 10 ? k.toFixed(2) : k < 100 ? k.toFixed(1) : Math.round(k).toString()}k`;
}

/** Milliseconds to 3 significant digits: 0.381, 1.23, 12.3, 123, 1234. */
export function formatMs(v: number): string {
  if (v === 0) return '0';
  if (v >= 100) return String(Math.round(v));
  return v.toPrecision(3).replace(/^(\d+\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** a ÷ b as "0.40×"; "—" when either side is missing or b is 0. */
export function formatRatio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return '—';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

type Pick = (m: Measurement) => number | undefined;

const METRICS: ReadonlyArray<{ header: string; pick: Pick; fmt: (v: number) => string; ratio: boolean }> = [
  { header: 'ops/s', pick: (m) => m.opsPerSec, fmt: formatOps, ratio: true },
  { header: 'p50 ms', pick: (m) => m.latencyMs?.p50, fmt: formatMs, ratio: true },
  { header: 'p99 ms', pick: (m) => m.latencyMs?.p99, fmt: formatMs, ratio: true },
  { header: 'p99.9 ms', pick: (m) => m.latencyMs?.p999, fmt: formatMs, ratio: true },
  { header: 'server RSS MiB', pick: (m) => m.serverRssMb, fmt: (v) => String(Math.round(v)), ratio: true },
];

interface RowPair {
  mode: RunResult['mode'];
  label: string;
  zabkit?: RunResult;
  zookeeper?: RunResult;
}

/** Groups runs into rows in first-seen order of (mode, label). */
export function pairRuns(runs: readonly RunResult[]): RowPair[] {
  const rows: RowPair[] = [];
  for (const run of runs) {
    let row = rows.find((r) => r.mode === run.mode && r.label === run.label);
    if (row === undefined) rows.push((row = { mode: run.mode, label: run.label }));
    row[run.target] = run;
  }
  return rows;
}

/** A run's value for a metric, or the word that stands in for it. */
function side(run: RunResult | undefined, pick: Pick, fmt: (v: number) => string, note: (r: RunResult) => string): { text: string; value?: number } {
  if (run === undefined) return { text: '—' };
  if (run.status !== 'ok' || run.result === undefined) return { text: `${run.status}${note(run)}` };
  const v = pick(run.result);
  return v === undefined ? { text: '—' } : { text: fmt(v), value: v };
}

export function formatTable(runs: readonly RunResult[]): string {
  const notes = new Footnotes();
  const note = (r: RunResult): string => notes.marker(`${r.target} ${r.mode}: ${r.status}${r.reason === undefined ? '' : ` (${r.reason})`}`);
  const header = ['mode', 'scenario', ...METRICS.map((m) => m.header), 'lag p99 ms (idle probe)'];
  const lines: string[][] = [];
  for (const row of pairRuns(runs)) {
    const cells = [row.mode, row.label];
    for (const metric of METRICS) {
      const a = side(row.zabkit, metric.pick, metric.fmt, note);
      const b = side(row.zookeeper, metric.pick, metric.fmt, note);
      const ratio = metric.ratio ? ` ${formatRatio(a.value, b.value)}` : '';
      cells.push(`${a.text} / ${b.text}${a.value !== undefined && b.value !== undefined ? ratio : ''}`);
    }
    const ours = row.zabkit?.status === 'ok' ? row.zabkit.result : undefined;
    const lag = ours?.eventLoopLagMs;
    const probe = ours?.probeLagMs;
    cells.push(lag === undefined ? '—' : `${formatMs(lag.p99Ms)}${probe === undefined ? '' : ` (${formatMs(probe.p99Ms)})`}`);
    const errs = [row.zabkit, row.zookeeper].filter((r) => (r?.result?.errors ?? 0) > 0);
    for (const r of errs) cells[1] += ` (${r!.target}: ${r!.result!.errors} errors)`;
    lines.push(cells);
  }
  return markdownTable([
    'Each cell: zabkit / Apache ZooKeeper, then zabkit ÷ ZooKeeper (ops/s: higher is better; ms and MiB: lower is better).',
    "Lag: zabkit's event-loop lag p99, and in brackets an idle Node process's over the same window (the machine's share).",
  ], header, lines, notes);
}
