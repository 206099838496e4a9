// What a load run sends: the op of every request (an exact, deterministic read/write mix), the
// znode it touches, and the request frame itself, encoded with protocol/'s op table. The same
// bytes go to zabkit and to Apache ZooKeeper.

import { OPEN_ACL_UNSAFE } from '../protocol/types.js';
import { OpCode, opSpec } from '../protocol/ops.js';
import { encodeRequestFrame } from '../protocol/frames.js';
import type { OpName } from './options.js';

/** The single-op requests the bench sends. */
export type WireOp = 'create' | 'setData' | 'getData' | 'exists' | 'delete';

export const BENCH_ROOT = '/zabkit-bench';
export const KEYS_PARENT = `${BENCH_ROOT}/keys`;
export const CREATE_PARENT = `${BENCH_ROOT}/created`;
/** The `snapshot` part's bulk: znodes that make the tree (and so each snapshot) big. */
export const TREE_PARENT = `${BENCH_ROOT}/tree`;

export interface Workload {
  op: OpName;
  /** Only for `mixed`: percentage of getData; the rest are setData. */
  readPct: number;
  payloadBytes: number;
  /** Read/write key space: znodes KEYS_PARENT/k0 … k(keys-1). */
  keys: number;
}

/**
 * Whether request number `i` (0, 1, 2, … within one session) of a mix with `readPct` percent
 * reads is a read. Reads are spread evenly: of any 100 consecutive requests exactly `readPct`
 * are reads, so short runs get the same mix as long ones and no PRNG is involved.
 */
export function isReadAt(i: number, readPct: number): boolean {
  return Math.floor(((i + 1) * readPct) / 100) > Math.floor((i * readPct) / 100);
}

/** The wire op of request `i` of a session. */
export function opAt(workload: Workload, i: number): WireOp {
  switch (workload.op) {
    case 'mixed':
      return isReadAt(i, workload.readPct) ? 'getData' : 'setData';
    default:
      return workload.op;
  }
}

/** Key i of the shared key space. */
export function keyPath(index: number): string {
  return `${KEYS_PARENT}/k${index}`;
}

/**
 * The key request `i` of session `session` touches: sessions walk the key space in step but
 * start at different places, so concurrent writes rarely hit the same znode.
 */
export function keyIndexAt(session: number, sessions: number, i: number, keys: number): number {
  const start = Math.floor((session * keys) / Math.max(1, sessions));
  return (start + i) % keys;
}

/** Znode i of the snapshot part's bulk tree. */
export function treePath(index: number): string {
  return `${TREE_PARENT}/n${index}`;
}

/** A unique path for create number `i` of session `session` in run `runTag`. */
export function createPath(runTag: string, session: number, i: number): string {
  return `${CREATE_PARENT}/${runTag}-s${session}-${i}`;
}

/** Payload bytes: printable and fixed per size, so every server stores the same data. */
export function payload(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = 0x61 + (i % 26);
  return out;
}

const CODE: Readonly<Record<WireOp, number>> = {
  create: OpCode.create,
  setData: OpCode.setData,
  getData: OpCode.getData,
  exists: OpCode.exists,
  delete: OpCode.delete,
};

export function opCode(op: WireOp): number {
  return CODE[op];
}

const ACL = [...OPEN_ACL_UNSAFE];

/** The whole length-prefixed request frame for one op. */
export function requestFrame(xid: number, op: WireOp, path: string, data: Buffer | null, watch = false): Buffer {
  const code = CODE[op];
  const spec = opSpec(code);
  if (spec === undefined) throw new Error(`no op spec for ${op}`);
  switch (op) {
    case 'create':
      return encodeRequestFrame(xid, code, spec.request, { path, data, acl: ACL, flags: 0 });
    case 'setData':
      return encodeRequestFrame(xid, code, spec.request, { path, data, version: -1 });
    case 'delete':
      return encodeRequestFrame(xid, code, spec.request, { path, version: -1 });
    case 'getData':
    case 'exists':
      return encodeRequestFrame(xid, code, spec.request, { path, watch });
  }
}
