// The suite: which runs a bench does, in order, from the options. Throughput runs (one per op,
// N sessions x W outstanding), the 1 session x 1 outstanding latency runs, and the zk-latencies
// sequence; apart from them, the `snapshot` part's run, which needs servers of its own (a big
// tree, a small snapCount). Pure.

import type { BenchOptions, OpName, SuitePart } from './options.js';
import type { Workload } from './workload.js';

export interface Scenario {
  /** Stable key for JSON and comparisons, e.g. "throughput/setData/4x100/100B". */
  id: string;
  part: SuitePart;
  label: string;
  sessions: number;
  outstanding: number;
  payloadBytes: number;
  /** For throughput, latency and snapshot runs. */
  workload?: Workload;
}

/** The `snapshot` part's run: setData load on servers that snapshot a big tree inside the window. */
export interface SnapshotScenario extends Scenario {
  part: 'snapshot';
  /** Znodes the servers' tree is seeded with (besides the key space). */
  treeNodes: number;
  snapCount: number;
}

export function sizeLabel(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024}KiB` : `${bytes}B`;
}

export function countLabel(n: number): string {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

function opLabel(op: OpName, readPct: number): string {
  return op === 'mixed' ? `mixed ${readPct}% read` : op;
}

function loadScenario(part: 'throughput' | 'latency', op: OpName, sessions: number, outstanding: number, o: BenchOptions): Scenario {
  const shape = `${sessions}x${outstanding}`;
  const size = sizeLabel(o.payloadBytes);
  const opId = op === 'mixed' ? `mixed${o.readPct}` : op;
  return {
    id: `${part}/${opId}/${shape}/${size}`,
    part,
    label: `${opLabel(op, o.readPct)} ${shape} ${size}`,
    sessions,
    outstanding,
    payloadBytes: o.payloadBytes,
    workload: { op, readPct: o.readPct, payloadBytes: o.payloadBytes, keys: o.keys },
  };
}

/**
 * The runs in order: --parts order, except that a `create` throughput run always goes last. It
 * grows the tree (and so memory) by as much as each server manages to create, which would skew
 * every later run's RSS differently on each side.
 */
export function buildSuite(o: BenchOptions): Scenario[] {
  const out = suiteInPartsOrder(o);
  const creates = out.filter((s) => s.part === 'throughput' && s.workload?.op === 'create');
  return [...out.filter((s) => !creates.includes(s)), ...creates];
}

function suiteInPartsOrder(o: BenchOptions): Scenario[] {
  const out: Scenario[] = [];
  for (const part of o.parts) {
    switch (part) {
      case 'throughput':
        for (const op of o.ops) out.push(loadScenario('throughput', op, o.sessions, o.outstanding, o));
        break;
      case 'latency':
        for (const op of ['setData', 'getData'] as const) out.push(loadScenario('latency', op, 1, 1, o));
        break;
      case 'client':
        // not a per-target scenario: see clientScenarios() and bench/client-compare.ts
        break;
      case 'snapshot':
        // needs servers of its own: see snapshotScenarios()
        break;
      case 'sequence':
        out.push({
          id: `sequence/${o.sequenceCount}/${o.watchMultiple}/${sizeLabel(o.payloadBytes)}`,
          part,
          label: `zk-latencies ${countLabel(o.sequenceCount)} x ${sizeLabel(o.payloadBytes)}, ${countLabel(o.sequenceCount * o.watchMultiple)} watches`,
          sessions: 1 + o.watchMultiple,
          outstanding: o.outstanding,
          payloadBytes: o.payloadBytes,
        });
        break;
    }
  }
  return out;
}

/**
 * The `snapshot` part's runs (empty when the part is not selected): setData at N x W on servers
 * whose tree holds `snapshotNodes` extra znodes and whose snapCount is `snapCount`, so that
 * snapshots of that tree are written while the window is measured. Its row shows what a
 * snapshot costs the clients: the max latency, and our event loop's max lag.
 */
export function snapshotScenarios(o: BenchOptions): SnapshotScenario[] {
  if (!o.parts.includes('snapshot')) return [];
  const shape = `${o.sessions}x${o.outstanding}`;
  const size = sizeLabel(o.payloadBytes);
  return [{
    id: `snapshot/setData/${shape}/${size}/${o.snapshotNodes}/${o.snapCount}`,
    part: 'snapshot',
    label: `setData ${shape} ${size} while snapshotting ${countLabel(o.snapshotNodes)} znodes (snapCount ${countLabel(o.snapCount)})`,
    sessions: o.sessions,
    outstanding: o.outstanding,
    payloadBytes: o.payloadBytes,
    workload: { op: 'setData', readPct: o.readPct, payloadBytes: o.payloadBytes, keys: o.keys },
    treeNodes: o.snapshotNodes,
    snapCount: o.snapCount,
  }];
}

/** One op of the `client` part: the same load driven through each client library. */
export interface ClientScenario {
  /** e.g. "client/getData/4x100/100B". */
  id: string;
  op: 'getData' | 'setData';
  label: string;
  sessions: number;
  outstanding: number;
  payloadBytes: number;
}

/** The `client` part's runs (empty when the part is not selected): getData, then setData. */
export function clientScenarios(o: BenchOptions): ClientScenario[] {
  if (!o.parts.includes('client')) return [];
  const shape = `${o.sessions}x${o.outstanding}`;
  const size = sizeLabel(o.payloadBytes);
  return (['getData', 'setData'] as const).map((op) => ({
    id: `client/${op}/${shape}/${size}`,
    op,
    label: `${op} ${shape} ${size}`,
    sessions: o.sessions,
    outstanding: o.outstanding,
    payloadBytes: o.payloadBytes,
  }));
}
