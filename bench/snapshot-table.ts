// The `snapshot` part's own table: what snapshots of a big tree cost the clients while they are
// written — the slowest request of the window and its p99.9, zabkit's worst event-loop delay (an
// idle Node process's beside it), and how many snapshots fell inside the window, so a row where
// none did is seen for what it is. Empty when the report has no snapshot runs. Pure.

import { Footnotes, markdownTable } from './markdown-table.js';
import type { Measurement, RunResult } from './results.js';
import { formatMs, formatRatio, pairRuns } from './table.js';

function ok(run: RunResult | undefined): Measurement | undefined {
  return run?.status === 'ok' ? run.result : undefined;
}

export function formatSnapshotTable(runs: readonly RunResult[]): string {
  const rows = pairRuns(runs.filter((r) => r.part === 'snapshot'));
  if (rows.length === 0) return '';
  const notes = new Footnotes();
  const cell = (run: RunResult | undefined, value: (m: Measurement) => number | undefined, fmt: (v: number) => string): string => {
    if (run === undefined) return '—';
    const m = ok(run);
    if (m === undefined) return `${run.status}${notes.marker(`${run.target} ${run.mode}: ${run.status}${run.reason === undefined ? '' : ` (${run.reason})`}`)}`;
    const v = value(m);
    return v === undefined ? '—' : fmt(v);
  };
  const pair = (zk: RunResult | undefined, ap: RunResult | undefined, value: (m: Measurement) => number | undefined): string => {
    const a = ok(zk) === undefined ? undefined : value(ok(zk)!);
    const b = ok(ap) === undefined ? undefined : value(ok(ap)!);
    const ratio = a !== undefined && b !== undefined ? ` ${formatRatio(a, b)}` : '';
    return `${cell(zk, value, formatMs)} / ${cell(ap, value, formatMs)}${ratio}`;
  };
  const lines = rows.map((row) => {
    const ours = ok(row.zabkit);
    const lag = ours?.eventLoopLagMs;
    const probe = ours?.probeLagMs;
    return [
      row.mode,
      row.label,
      `${cell(row.zabkit, (m) => m.snapshots, String)} / ${cell(row.zookeeper, (m) => m.snapshots, String)}`,
      pair(row.zabkit, row.zookeeper, (m) => m.latencyMs?.max),
      pair(row.zabkit, row.zookeeper, (m) => m.latencyMs?.p999),
      lag === undefined ? '—' : `${formatMs(lag.maxMs)}${probe === undefined ? '' : ` (${formatMs(probe.maxMs)})`}`,
    ];
  });
  return markdownTable(
    [
      'While snapshotting: each cell zabkit / Apache ZooKeeper, then zabkit ÷ ZooKeeper (lower is better).',
      "Max latency: the slowest request of the window. Lag max: zabkit's worst event-loop delay, and in brackets an idle Node process's (the machine's share).",
    ],
    ['mode', 'scenario', 'snapshots in window', 'max latency ms', 'p99.9 ms', 'lag max ms (idle probe)'],
    lines,
    notes,
  );
}
