// Several bench runs side by side: for every (mode, scenario) the zabkit ÷ ZooKeeper ratios of
// each run, their median and range, and zabkit's event-loop lag p99 beside the idle probe's —
// the "spread over at least 3 runs" that docs/performance.md reports — and for the snapshot
// part's rows the absolute stall figures (max latency on each side, lag max, snapshots). A single
// run on a shared machine decides nothing; this is how several are read together. Pure, plus a
// small CLI:
//   npm run bench:spread -- run1.json run2.json run3.json

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Footnotes, markdownTable } from './markdown-table.js';
import type { BenchReport, Measurement, RunResult } from './results.js';
import { formatMs, pairRuns } from './table.js';

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function ratioText(r: number): string {
  return r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

/** "1.62× (1.41–2.04)": median and range of the runs that have both sides. */
export function spreadCell(values: readonly number[], fmt: (v: number) => string = ratioText, unit = '×'): string {
  const m = median(values);
  if (m === undefined) return '—';
  if (values.length === 1) return `${fmt(m)}${unit}`;
  return `${fmt(m)}${unit} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
}

type PickValue = (m: Measurement) => number | undefined;

const RATIOS: ReadonlyArray<{ header: string; pick: PickValue }> = [
  { header: 'ops/s ratio', pick: (m) => m.opsPerSec },
  { header: 'p50 ratio', pick: (m) => m.latencyMs?.p50 },
  { header: 'p99 ratio', pick: (m) => m.latencyMs?.p99 },
  { header: 'p99.9 ratio', pick: (m) => m.latencyMs?.p999 },
];

function ok(run: RunResult | undefined): Measurement | undefined {
  return run?.status === 'ok' ? run.result : undefined;
}

/** The spread table over several reports' `runs` (rows in first-seen order). */
export function formatSpread(reports: readonly Pick<BenchReport, 'runs' | 'machine'>[]): string {
  const notes = new Footnotes();
  const perReport = reports.map((r) => pairRuns(r.runs));
  const keys: Array<{ mode: RunResult['mode']; label: string }> = [];
  for (const rows of perReport) {
    for (const row of rows) if (!keys.some((k) => k.mode === row.mode && k.label === row.label)) keys.push({ mode: row.mode, label: row.label });
  }
  const lines: string[][] = [];
  for (const key of keys) {
    const pairs = perReport.map((rows) => rows.find((r) => r.mode === key.mode && r.label === key.label));
    const cells = [key.mode, key.label];
    for (const metric of RATIOS) {
      const values: number[] = [];
      for (const p of pairs) {
        const a = ok(p?.zabkit);
        const b = ok(p?.zookeeper);
        const va = a === undefined ? undefined : metric.pick(a);
        const vb = b === undefined ? undefined : metric.pick(b);
        if (va !== undefined && vb !== undefined && vb > 0) values.push(va / vb);
      }
      cells.push(spreadCell(values));
    }
    const lag = pairs.map((p) => ok(p?.zabkit)?.eventLoopLagMs?.p99Ms).filter((v): v is number => v !== undefined);
    const probe = pairs.map((p) => ok(p?.zabkit)?.probeLagMs?.p99Ms).filter((v): v is number => v !== undefined);
    cells.push(spreadCell(lag, formatMs, ''), spreadCell(probe, formatMs, ''));
    const missing = pairs.filter((p) => ok(p?.zabkit) === undefined || ok(p?.zookeeper) === undefined).length;
    if (missing > 0) cells[1] += ` ${notes.marker(`${missing} of ${reports.length} runs lack one side (n/a or failed) for some rows`)}`;
    lines.push(cells);
  }
  const loads = reports.map((r, i) => `run ${i + 1}: ${r.machine.loadAverageAtStart[0]!.toFixed(1)} → ${r.machine.loadAverage[0]!.toFixed(1)}`);
  return markdownTable(
    [
      `Ratios zabkit ÷ ZooKeeper over ${reports.length} runs: median (min–max). ops/s: higher is better; latencies: lower is better.`,
      "Lag p99 ms: zabkit's event-loop lag, and an idle Node process's over the same windows (the machine's share).",
      `1-minute load average at start → end: ${loads.join('; ')}.`,
    ],
    ['mode', 'scenario', ...RATIOS.map((r) => r.header), 'lag p99 ms', 'idle probe p99 ms'],
    lines,
    notes,
  );
}

/** The snapshot part's rows over several reports: medians (min–max) of the absolute stall figures. */
export function formatSnapshotSpread(reports: readonly Pick<BenchReport, 'runs'>[]): string {
  const perReport = reports.map((r) => pairRuns(r.runs.filter((run) => run.part === 'snapshot')));
  const keys: Array<{ mode: RunResult['mode']; label: string }> = [];
  for (const rows of perReport) {
    for (const row of rows) if (!keys.some((k) => k.mode === row.mode && k.label === row.label)) keys.push({ mode: row.mode, label: row.label });
  }
  if (keys.length === 0) return '';
  const lines = keys.map((key) => {
    const pairs = perReport.map((rows) => rows.find((r) => r.mode === key.mode && r.label === key.label));
    const values = (target: 'zabkit' | 'zookeeper', pick: PickValue): number[] =>
      pairs.map((p) => { const m = ok(p?.[target]); return m === undefined ? undefined : pick(m); }).filter((v): v is number => v !== undefined);
    const count = (v: number) => String(Math.round(v));
    return [
      key.mode,
      key.label,
      spreadCell(values('zabkit', (m) => m.latencyMs?.max), formatMs, ''),
      spreadCell(values('zookeeper', (m) => m.latencyMs?.max), formatMs, ''),
      spreadCell(values('zabkit', (m) => m.eventLoopLagMs?.maxMs), formatMs, ''),
      spreadCell(values('zabkit', (m) => m.probeLagMs?.maxMs), formatMs, ''),
      `${spreadCell(values('zabkit', (m) => m.snapshots), count, '')} / ${spreadCell(values('zookeeper', (m) => m.snapshots), count, '')}`,
    ];
  });
  return markdownTable(
    [`While snapshotting, over ${reports.length} runs: median (min–max) of each figure, in ms.`],
    ['mode', 'scenario', 'zabkit max latency', 'ZooKeeper max latency', 'zabkit lag max', 'idle probe lag max', 'snapshots in window (zabkit / ZooKeeper)'],
    lines,
    new Footnotes(),
  );
}

async function main(files: string[]): Promise<void> {
  if (files.length === 0) {
    process.stderr.write('usage: npm run bench:spread -- <bench --json result>...\n');
    process.exit(2);
  }
  const reports = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as BenchReport));
  process.stdout.write(formatSpread(reports));
  const snapshots = formatSnapshotSpread(reports);
  if (snapshots !== '') process.stdout.write(`\n${snapshots}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await main(process.argv.slice(2));
}
