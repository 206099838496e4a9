// The client comparison table: one row per op, each cell "zabkit client / node-zookeeper-client
// ratio" with ratio = ours ÷ theirs, both against the same Apache ZooKeeper, as Markdown.
// Runs that could not happen show "failed"/"n/a" with a footnote. Pure.

import { Footnotes, markdownTable } from './markdown-table.js';
import type { ClientLibrary } from './client-driver.js';
import type { ClientRunResult, Measurement } from './results.js';
import { formatMs, formatOps, formatRatio } from './table.js';

type Pick = (m: Measurement) => number | undefined;

const METRICS: ReadonlyArray<{ header: string; pick: Pick; fmt: (v: number) => string }> = [
  { header: 'ops/s', pick: (m) => m.opsPerSec, fmt: formatOps },
  { header: 'p50 ms', pick: (m) => m.latencyMs?.p50, fmt: formatMs },
  { header: 'p99 ms', pick: (m) => m.latencyMs?.p99, fmt: formatMs },
  { header: 'client CPU %', pick: (m) => m.clientCpuPct, fmt: (v) => String(Math.round(v)) },
];

const OURS: ClientLibrary = 'zabkit';
const THEIRS: ClientLibrary = 'node-zookeeper-client';

interface ClientRow {
  label: string;
  ours?: ClientRunResult;
  theirs?: ClientRunResult;
}

/** Groups client runs into rows by scenario, in first-seen order. */
export function pairClientRuns(runs: readonly ClientRunResult[]): ClientRow[] {
  const rows = new Map<string, ClientRow>();
  for (const run of runs) {
    let row = rows.get(run.scenarioId);
    if (row === undefined) rows.set(run.scenarioId, (row = { label: run.label }));
    if (run.library === OURS) row.ours = run;
    else if (run.library === THEIRS) row.theirs = run;
  }
  return [...rows.values()];
}

export function formatClientTable(runs: readonly ClientRunResult[]): string {
  const notes = new Footnotes();
  const note = (r: ClientRunResult): string => notes.marker(`${r.library}: ${r.status}${r.reason === undefined ? '' : ` (${r.reason})`}`);
  const side = (run: ClientRunResult | undefined, pick: Pick, fmt: (v: number) => string): { text: string; value?: number } => {
    if (run === undefined) return { text: '—' };
    if (run.status !== 'ok' || run.result === undefined) return { text: `${run.status}${note(run)}` };
    const v = pick(run.result);
    return v === undefined ? { text: '—' } : { text: fmt(v), value: v };
  };
  const header = ['client scenario', ...METRICS.map((m) => m.header)];
  const lines: string[][] = [];
  for (const row of pairClientRuns(runs)) {
    const cells = [row.label];
    for (const metric of METRICS) {
      const a = side(row.ours, metric.pick, metric.fmt);
      const b = side(row.theirs, metric.pick, metric.fmt);
      const ratio = a.value !== undefined && b.value !== undefined ? ` ${formatRatio(a.value, b.value)}` : '';
      cells.push(`${a.text} / ${b.text}${ratio}`);
    }
    for (const r of [row.ours, row.theirs]) {
      if ((r?.result?.errors ?? 0) > 0) cells[0] += ` (${r!.library}: ${r!.result!.errors} errors)`;
    }
    lines.push(cells);
  }
  const server = runs.find((r) => r.status === 'ok')?.server ?? runs[0]?.server;
  const versions = [OURS, THEIRS]
    .map((lib) => runs.find((r) => r.library === lib))
    .filter((r): r is ClientRunResult => r !== undefined)
    .map((r) => `${r.library} ${r.libraryVersion}`);
  return markdownTable([
    `Client libraries on the same server${server === undefined ? '' : ` (${server})`}: ${versions.join(' vs ')}.`,
    'Each cell: zabkit client / node-zookeeper-client, then zabkit ÷ node-zookeeper-client (ops/s: higher is better; ms and CPU: lower is better).',
  ], header, lines, notes);
}
