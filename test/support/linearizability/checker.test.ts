// The linearizability checker on known histories — linearizable ones (concurrent reads either
// way, CAS with one winner, unknown outcomes both ways) and violations (stale read, lost write,
// CAS violation, double create, sequential names reused or out of order) — and two properties:
// histories produced by a sequential reference store are always accepted, and a sequential
// history with one answer changed is always rejected.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Code } from '../../../protocol/errors.js';
import {
  checkLinearizable, duplicateSequentialNames, explain, sequentialNames, znodeRegister,
  type Operation, type SequentialOutput, type ZnodeInput, type ZnodeOutput,
} from './index.js';

type Op = Operation<ZnodeInput, ZnodeOutput>;

function op(client: number, call: number, ret: number | undefined, input: ZnodeInput, output?: ZnodeOutput, key = '/k'): Op {
  return { client, key, input, output: ret === undefined ? undefined : output, call, return: ret };
}
const ok = (version?: number): ZnodeOutput => ({ err: 0, version });
const read = (data: string, version: number): ZnodeOutput => ({ err: 0, data, version });
const err = (code: number): ZnodeOutput => ({ err: code });
const check = (ops: Op[]) => checkLinearizable(znodeRegister, ops);

describe('linearizability checker: znode register', () => {
  it('accepts the empty history and a sequential create / set / read / delete', () => {
    expect(check([]).ok).toBe(true);
    expect(check([
      op(1, 0, 1, { op: 'read' }, err(Code.NONODE)),
      op(1, 2, 3, { op: 'create', data: 'a' }, ok()),
      op(2, 4, 5, { op: 'set', data: 'b', version: 0 }, ok(1)),
      op(1, 6, 7, { op: 'read' }, read('b', 1)),
      op(2, 8, 9, { op: 'delete', version: 1 }, ok()),
      op(1, 10, 11, { op: 'read' }, err(Code.NONODE)),
    ]).ok).toBe(true);
  });

  it('accepts a read concurrent with a write returning either value', () => {
    const base = [op(1, 0, 1, { op: 'create', data: 'a' }, ok()), op(1, 2, 10, { op: 'set', data: 'b', version: -1 }, ok(1))];
    expect(check([...base, op(2, 3, 5, { op: 'read' }, read('a', 0))]).ok).toBe(true);
    expect(check([...base, op(2, 3, 5, { op: 'read' }, read('b', 1))]).ok).toBe(true);
  });

  it('rejects a stale read: a read that starts after a write returned does not see it', () => {
    const r = check([
      op(1, 0, 1, { op: 'create', data: 'a' }, ok()),
      op(1, 2, 3, { op: 'set', data: 'b', version: -1 }, ok(1)),
      op(2, 4, 5, { op: 'read' }, read('a', 0)),
    ]);
    expect(r.ok).toBe(false);
    expect(explain(znodeRegister, r)).toContain('key /k is not linearizable');
  });

  it('rejects a lost write: two acknowledged unconditional sets, then a read of the first', () => {
    expect(check([
      op(1, 0, 1, { op: 'create', data: 'a' }, ok()),
      op(1, 2, 5, { op: 'set', data: 'b', version: -1 }, ok(1)),
      op(2, 3, 6, { op: 'set', data: 'c', version: -1 }, ok(1)), // both claim version 1: one was lost
      op(3, 7, 8, { op: 'read' }, read('c', 1)),
    ]).ok).toBe(false);
  });

  it('accepts concurrent CAS with one winner and rejects two winners of the same version', () => {
    const created = op(1, 0, 1, { op: 'create', data: 'a' }, ok());
    expect(check([
      created,
      op(1, 2, 6, { op: 'set', data: 'b', version: 0 }, err(Code.BADVERSION)),
      op(2, 3, 5, { op: 'set', data: 'c', version: 0 }, ok(1)),
      op(3, 7, 8, { op: 'read' }, read('c', 1)),
    ]).ok).toBe(true);
    expect(check([
      created,
      op(1, 2, 6, { op: 'set', data: 'b', version: 0 }, ok(1)),
      op(2, 3, 5, { op: 'set', data: 'c', version: 0 }, ok(1)),
    ]).ok).toBe(false);
  });

  it('rejects two successful creates of one path and a delete of a node that must be there', () => {
    expect(check([
      op(1, 0, 3, { op: 'create', data: 'a' }, ok()),
      op(2, 1, 4, { op: 'create', data: 'b' }, ok()),
    ]).ok).toBe(false);
    expect(check([
      op(1, 0, 1, { op: 'create', data: 'a' }, ok()),
      op(2, 2, 3, { op: 'delete', version: -1 }, err(Code.NONODE)),
    ]).ok).toBe(false);
  });

  it('lets an op with unknown outcome take effect or not, but not both', () => {
    const created = op(1, 0, 1, { op: 'create', data: 'a' }, ok());
    const lost = op(2, 2, undefined, { op: 'set', data: 'b', version: 0 });
    expect(check([created, lost, op(3, 5, 6, { op: 'read' }, read('b', 1))]).ok).toBe(true);
    expect(check([created, lost, op(3, 5, 6, { op: 'read' }, read('a', 0))]).ok).toBe(true);
    expect(check([
      created, lost,
      op(3, 5, 6, { op: 'read' }, read('b', 1)),
      op(3, 7, 8, { op: 'read' }, read('a', 0)),
    ]).ok).toBe(false);
  });

  it('treats errors that do not depend on the node (session expired) as no effect', () => {
    expect(check([
      op(1, 0, 1, { op: 'create', data: 'a' }, ok()),
      op(2, 2, 3, { op: 'set', data: 'b', version: 0 }, err(Code.SESSIONEXPIRED)),
      op(3, 4, 5, { op: 'read' }, read('a', 0)),
    ]).ok).toBe(true);
  });

  it('checks keys independently and names the failing one', () => {
    const r = check([
      op(1, 0, 1, { op: 'create', data: 'a' }, ok(), '/a'),
      op(1, 2, 3, { op: 'read' }, read('a', 0), '/a'),
      op(2, 0, 1, { op: 'create', data: 'x' }, ok(), '/b'),
      op(2, 2, 3, { op: 'read' }, err(Code.NONODE), '/b'),
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.key).toBe('/b');
      expect(r.budgetExhausted).toBe(false);
      expect(r.longestPrefix.map((o) => o.input.op)).toEqual(['create']);
    }
  });

  it('reports an exhausted budget as no verdict, not as a violation', () => {
    // Many concurrent writes of distinct values and a read of a value nobody wrote.
    const ops: Op[] = [op(0, 0, 1, { op: 'create', data: 'v' }, ok())];
    for (let c = 1; c <= 12; c++) ops.push(op(c, 2, 100, { op: 'set', data: `w${c}`, version: -1 }));
    ops.push(op(99, 101, 102, { op: 'read' }, read('nobody', 3)));
    const r = checkLinearizable(znodeRegister, ops, { maxSteps: 50 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.budgetExhausted).toBe(true);
    expect(explain(znodeRegister, r)).toContain('no verdict');
  });
});

describe('linearizability checker: sequential names', () => {
  type SeqOp = Operation<{ op: 'createSequential' }, SequentialOutput>;
  const seq = (client: number, call: number, ret: number | undefined, n?: number): SeqOp => ({
    client, key: '/q', input: { op: 'createSequential' }, call, return: ret,
    output: ret === undefined ? undefined : n === undefined ? { err: Code.SESSIONEXPIRED } : { err: 0, seq: n },
  });
  const model = sequentialNames();

  it('accepts suffixes in linearization order, with a lost create filling a gap', () => {
    expect(checkLinearizable(model, [seq(1, 0, 5, 1), seq(2, 1, 4, 0), seq(3, 6, 7, 2)]).ok).toBe(true);
    expect(checkLinearizable(model, [seq(1, 0, 1, 0), seq(2, 2, undefined), seq(3, 4, 5, 2)]).ok).toBe(true);
    expect(checkLinearizable(model, [seq(1, 0, 1, 0), seq(2, 2, 3), seq(3, 4, 5, 1)]).ok).toBe(true);
  });

  it('rejects a suffix handed out twice, and one that goes back in real time', () => {
    const dup = [seq(1, 0, 1, 0), seq(2, 2, 3, 0)];
    expect(checkLinearizable(model, dup).ok).toBe(false);
    expect(duplicateSequentialNames(dup)).toEqual(['/q/0']);
    expect(checkLinearizable(model, [seq(1, 0, 1, 1), seq(2, 2, 3, 0)]).ok).toBe(false);
    expect(duplicateSequentialNames([seq(1, 0, 1, 1), seq(2, 2, 3, 0)])).toEqual([]);
  });
});

// ---- properties ------------------------------------------------------------------------------

type Store = Map<string, { data: string; version: number }>;

/** A reference store, independent of the model: what a single ZooKeeper server answers. */
function execute(store: Store, key: string, input: ZnodeInput): ZnodeOutput {
  const node = store.get(key);
  switch (input.op) {
    case 'read': return node ? { err: 0, data: node.data, version: node.version } : { err: Code.NONODE };
    case 'create':
      if (node) return { err: Code.NODEEXISTS };
      store.set(key, { data: input.data, version: 0 });
      return { err: 0 };
    case 'set':
      if (!node) return { err: Code.NONODE };
      if (input.version !== -1 && input.version !== node.version) return { err: Code.BADVERSION };
      store.set(key, { data: input.data, version: node.version + 1 });
      return { err: 0, version: node.version + 1 };
    case 'delete':
      if (!node) return { err: Code.NONODE };
      if (input.version !== -1 && input.version !== node.version) return { err: Code.BADVERSION };
      store.delete(key);
      return { err: 0 };
  }
}

const inputArb: fc.Arbitrary<ZnodeInput> = fc.oneof(
  fc.constant<ZnodeInput>({ op: 'read' }),
  fc.constantFrom('a', 'b', 'c').map((data): ZnodeInput => ({ op: 'create', data })),
  fc.record({ data: fc.constantFrom('a', 'b', 'c'), version: fc.integer({ min: -1, max: 3 }) }).map((r): ZnodeInput => ({ op: 'set', ...r })),
  fc.integer({ min: -1, max: 3 }).map((version): ZnodeInput => ({ op: 'delete', version })),
);
const stepArb = fc.record({
  key: fc.constantFrom('/x', '/y'),
  input: inputArb,
  client: fc.integer({ min: 1, max: 5 }),
  before: fc.integer({ min: 0, max: 25 }),
  after: fc.integer({ min: 0, max: 25 }),
  fate: fc.constantFrom('known', 'known', 'known', 'known', 'lostApplied', 'lostNotApplied'),
});

describe('linearizability checker: properties', () => {
  it('accepts every history produced by a sequential store, however the intervals overlap', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
      const store: Store = new Map();
      const ops: Op[] = steps.map((s, i) => {
        const point = 10 * (i + 1); // the linearization point lies inside [call, return]
        if (s.fate === 'lostNotApplied') return op(s.client, point - s.before, undefined, s.input, undefined, s.key);
        const output = execute(store, s.key, s.input);
        return s.fate === 'lostApplied'
          ? op(s.client, point - s.before, undefined, s.input, undefined, s.key)
          : op(s.client, point - s.before, point + s.after, s.input, output, s.key);
      });
      const r = check(ops);
      if (!r.ok) throw new Error(explain(znodeRegister, r));
    }), { numRuns: 300 });
  });

  it('rejects a sequential history in which one answer was changed', () => {
    fc.assert(fc.property(fc.array(stepArb, { minLength: 1, maxLength: 25 }), fc.nat(), (steps, pick) => {
      const store: Store = new Map();
      const ops: Op[] = steps.map((s, i) => op(s.client, 10 * i, 10 * i + 5, s.input, execute(store, s.key, s.input), s.key));
      const i = pick % ops.length;
      const victim = ops[i]!;
      ops[i] = { ...victim, output: tamper(victim.input, victim.output!) };
      expect(check(ops).ok).toBe(false);
    }), { numRuns: 300 });
  });
});

/** A different answer of the same shape. */
function tamper(input: ZnodeInput, out: ZnodeOutput): ZnodeOutput {
  if (out.err !== 0) return input.op === 'read' ? { err: 0, data: 'a', version: 0 } : { err: 0, version: 0 };
  switch (input.op) {
    case 'read': return { ...out, version: out.version! + 1 };
    case 'create': return { err: Code.NODEEXISTS };
    case 'set': return { err: 0, version: out.version! + 1 };
    case 'delete': return { err: Code.NONODE };
  }
}
