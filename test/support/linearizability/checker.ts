// A linearizability checker: the Wing & Gong search with Lowe's memoization of (set of ops
// linearized, model state), run separately per key (P-compositionality: a history is
// linearizable iff each key's sub-history is, for models whose ops touch one key).
// Ops whose outcome is unknown return "at infinity": they may be linearized anywhere after
// their call, including after everything else (= they never took effect).
// Counterpart: Porcupine's checkSingle / checkParallel (anishathalye/porcupine), redone here.

import type { CheckResult, Model, Operation } from './history.js';

export interface CheckOptions {
  /** Give up (budgetExhausted) after this many search steps per key. */
  readonly maxSteps?: number;
}

/** A call or return event in the doubly linked list the search lifts entries out of. */
interface Entry {
  readonly isCall: boolean;
  readonly time: number;
  /** Index of the op in its key's list. */
  readonly id: number;
  /** The call's return entry (calls only). */
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/** Checks every key of the history; stops at the first key that fails. */
export function checkLinearizable<S, I, O>(
  model: Model<S, I, O>, history: readonly Operation<I, O>[], options: CheckOptions = {},
): CheckResult<I, O> {
  const byKey = new Map<string, Operation<I, O>[]>();
  for (const op of history) {
    let ops = byKey.get(op.key);
    if (!ops) byKey.set(op.key, (ops = []));
    ops.push(op);
  }
  for (const key of [...byKey.keys()].sort()) {
    const ops = byKey.get(key)!.slice().sort((a, b) => a.call - b.call);
    const failure = checkKey(model, key, ops, options.maxSteps ?? 2_000_000);
    if (failure) return failure;
  }
  return { ok: true, keys: byKey.size, operations: history.length };
}

/** Sorted call/return entries linked into a list with a sentinel head. */
function buildList<I, O>(ops: readonly Operation<I, O>[]): Entry {
  const entries: Entry[] = [];
  ops.forEach((op, id) => {
    if (op.return !== undefined && op.return < op.call) throw new Error(`op ${id} of ${op.key} returns before its call`);
    const ret: Entry = { isCall: false, time: op.return ?? Infinity, id, match: null, prev: null, next: null };
    const call: Entry = { isCall: true, time: op.call, id, match: ret, prev: null, next: null };
    entries.push(call, ret);
  });
  // By time; at equal times calls first (ops touching in time count as concurrent, as Porcupine).
  entries.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.id - b.id : a.isCall ? -1 : 1));
  const head: Entry = { isCall: false, time: -Infinity, id: -1, match: null, prev: null, next: null };
  let last = head;
  for (const e of entries) {
    e.prev = last;
    last.next = e;
    last = e;
  }
  return head;
}

/** Takes a call and its return out of the list. */
function lift(call: Entry): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

/** Puts them back (in reverse order of lift). */
function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

class Bitset {
  readonly words: Uint32Array;
  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1);
  }
  set(i: number): void { this.words[i >>> 5]! |= 1 << (i & 31); }
  clear(i: number): void { this.words[i >>> 5]! &= ~(1 << (i & 31)); }
  key(): string {
    return Array.from(this.words, (w) => w.toString(36)).join('.');
  }
}

function checkKey<S, I, O>(
  model: Model<S, I, O>, key: string, ops: Operation<I, O>[], maxSteps: number,
): CheckResult<I, O> | null {
  const head = buildList(ops);
  const linearized = new Bitset(ops.length);
  const seen = new Set<string>();
  const calls: { entry: Entry; state: S }[] = [];
  let state = model.init(key);
  let best: number[] = [];
  let entry = head.next;
  for (let steps = 0; head.next !== null; steps++) {
    if (steps >= maxSteps) return failure(key, ops, best, true);
    if (entry === null) throw new Error('linearizability search ran off the list');
    if (entry.isCall) {
      const op = ops[entry.id]!;
      const r = model.step(state, op.input, op.return === undefined ? undefined : op.output);
      if (r.ok) {
        linearized.set(entry.id);
        const memo = `${linearized.key()}|${model.stateKey(r.state)}`;
        if (!seen.has(memo)) {
          seen.add(memo);
          calls.push({ entry, state });
          state = r.state;
          lift(entry);
          entry = head.next;
          if (calls.length > best.length) best = calls.map((c) => c.entry.id);
          continue;
        }
        linearized.clear(entry.id);
      }
      entry = entry.next;
    } else {
      // A return whose call is still in the list: nothing linearizable before it; backtrack.
      const top = calls.pop();
      if (!top) return failure(key, ops, best, false);
      state = top.state;
      linearized.clear(top.entry.id);
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return null;
}

function failure<I, O>(key: string, ops: Operation<I, O>[], best: number[], budgetExhausted: boolean): CheckResult<I, O> {
  return { ok: false, key, operations: ops, longestPrefix: best.map((id) => ops[id]!), budgetExhausted };
}
