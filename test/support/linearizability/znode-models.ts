// Sequential specifications of ZooKeeper ops for the linearizability checker:
//  * `znodeRegister`: one znode as a versioned register with compare-and-set — create, delete
//    (with expected version), setData (with expected version, -1 = any), getData;
//  * `sequentialNames`: sequential creates under one parent hand out suffixes in linearization
//    order, each once (the parent's stored cversion as a counter; protocol.md §15 trap 9);
//  * `duplicateSequentialNames`: the plain "never the same name twice" check.
// Counterpart: the data-tree semantics of DataTree.createNode / setData / deleteNode and
// PrepRequestProcessor's version checks, reduced to one key.

import { Code } from '../../../protocol/errors.js';
import type { Model, Operation } from './history.js';

/** A znode's data and version; null while the node does not exist. */
export type ZnodeState = { readonly data: string; readonly version: number } | null;

export type ZnodeInput =
  | { readonly op: 'read' }
  | { readonly op: 'create'; readonly data: string }
  | { readonly op: 'set'; readonly data: string; readonly version: number }
  | { readonly op: 'delete'; readonly version: number };

/**
 * `err` 0 with `data`/`version` for a read, `version` (the new one) for a set; otherwise a
 * ZooKeeper error code. Codes other than NONODE / NODEEXISTS / BADVERSION (SESSIONEXPIRED, …)
 * say the op had no effect, whatever the state.
 */
export interface ZnodeOutput {
  readonly err: number;
  readonly data?: string;
  readonly version?: number;
}

const STATE_ERRORS = new Set<number>([Code.NONODE, Code.NODEEXISTS, Code.BADVERSION]);

const accept = <S>(state: S) => ({ ok: true, state });
const reject = <S>(state: S) => ({ ok: false, state });

export const znodeRegister: Model<ZnodeState, ZnodeInput, ZnodeOutput> = {
  name: 'znode register',
  init: () => null,
  stateKey: (s) => (s === null ? '-' : `${s.version}:${s.data}`),
  describe: (input, output) => {
    const args = input.op === 'read' ? '' : input.op === 'create' ? `"${input.data}"`
      : input.op === 'set' ? `"${input.data}", v${input.version}` : `v${input.version}`;
    const result = output === undefined ? '?'
      : output.err !== 0 ? `err ${output.err}`
      : input.op === 'read' ? `"${output.data}" v${output.version}`
      : output.version !== undefined ? `ok v${output.version}` : 'ok';
    return `${input.op}(${args}) → ${result}`;
  },
  step(state, input, output) {
    if (output !== undefined && output.err !== 0 && !STATE_ERRORS.has(output.err)) return accept(state);
    const known = output !== undefined;
    const is = (err: number) => known && output.err === err;
    switch (input.op) {
      case 'read':
        if (!known) return accept(state);
        if (state === null) return is(Code.NONODE) ? accept(state) : reject(state);
        return output.err === 0 && output.data === state.data && output.version === state.version ? accept(state) : reject(state);
      case 'create':
        if (state !== null) return !known || is(Code.NODEEXISTS) ? accept(state) : reject(state);
        return !known || output.err === 0 ? accept({ data: input.data, version: 0 }) : reject(state);
      case 'set': {
        if (state === null) return !known || is(Code.NONODE) ? accept(state) : reject(state);
        if (input.version !== -1 && input.version !== state.version) return !known || is(Code.BADVERSION) ? accept(state) : reject(state);
        const next = { data: input.data, version: (state.version + 1) | 0 };
        if (!known) return accept(next);
        return output.err === 0 && (output.version === undefined || output.version === next.version) ? accept(next) : reject(state);
      }
      case 'delete':
        if (state === null) return !known || is(Code.NONODE) ? accept(state) : reject(state);
        if (input.version !== -1 && input.version !== state.version) return !known || is(Code.BADVERSION) ? accept(state) : reject(state);
        return !known || output.err === 0 ? accept(null) : reject(state);
    }
  },
};

/** A sequential create under the key (the parent path); `seq` is the suffix it got. */
export interface SequentialOutput {
  readonly err: number;
  readonly seq?: number;
}

/**
 * The parent's count of creations, starting from `initial(key)` (0 for a fresh parent). Only
 * sequential creates may create children of the parents checked with this model.
 */
export function sequentialNames(initial: (parent: string) => number = () => 0): Model<number, { op: 'createSequential' }, SequentialOutput> {
  return {
    name: 'sequential names',
    init: initial,
    stateKey: (n) => String(n),
    describe: (_input, output) => `createSequential → ${output === undefined ? '?' : output.err !== 0 ? `err ${output.err}` : output.seq}`,
    step(counter, _input, output) {
      if (output === undefined) return accept((counter + 1) | 0);
      if (output.err !== 0) return accept(counter); // a failed create does not touch the cversion
      return output.seq === counter ? accept((counter + 1) | 0) : reject(counter);
    },
  };
}

/** Every successful sequential create's full path, each at most once: the duplicates found. */
export function duplicateSequentialNames(ops: readonly Operation<unknown, SequentialOutput>[]): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const op of ops) {
    if (op.output === undefined || op.output.err !== 0 || op.output.seq === undefined) continue;
    const name = `${op.key}/${op.output.seq}`;
    if (seen.has(name)) dups.push(name);
    seen.add(name);
  }
  return dups;
}
