// Client histories of a simulated run: every op a client invoked, stamped with the run's total
// order at call and return (no return = outcome unknown), and the checks at the end —
// linearizability of znode ops per path (writes, and reads that follow a sync), sequential
// creates in linearizable order and never the same name twice. Plain reads are served from the
// member's local tree and are only sequentially consistent in ZooKeeper, so they are checked
// per session (zxids never go back) as they arrive, not here.
// Counterpart: Jepsen / Porcupine histories of the ZooKeeper client API.

import {
  checkLinearizable, duplicateSequentialNames, explain, sequentialNames, znodeRegister,
  type Operation, type SequentialOutput, type ZnodeInput, type ZnodeOutput,
} from '../support/linearizability/index.js';
import type { Scheduler } from './scheduler.js';

interface Open<I, O> {
  client: number;
  key: string;
  input: I;
  output: O | undefined;
  call: number;
  return: number | undefined;
}

export type Pending<I, O> = Open<I, O>;

export class ClientHistory {
  private readonly znodeOps: Open<ZnodeInput, ZnodeOutput>[] = [];
  private readonly sequentialOps: Open<{ op: 'createSequential' }, SequentialOutput>[] = [];

  constructor(private readonly s: Scheduler) {}

  get size(): number {
    return this.znodeOps.length + this.sequentialOps.length;
  }

  znode(client: number, key: string, input: ZnodeInput): Pending<ZnodeInput, ZnodeOutput> {
    const op: Open<ZnodeInput, ZnodeOutput> = { client, key, input, output: undefined, call: this.s.stamp(), return: undefined };
    this.znodeOps.push(op);
    return op;
  }

  sequential(client: number, parent: string): Pending<{ op: 'createSequential' }, SequentialOutput> {
    const op: Open<{ op: 'createSequential' }, SequentialOutput> = { client, key: parent, input: { op: 'createSequential' }, output: undefined, call: this.s.stamp(), return: undefined };
    this.sequentialOps.push(op);
    return op;
  }

  /** The answer arrived now. (An op never completed keeps an unknown outcome.) */
  complete<I, O>(op: Pending<I, O>, output: O): void {
    op.output = output;
    op.return = this.s.stamp();
  }

  /** null when every check passes, else what failed. */
  check(): string | null {
    const znodes: Operation<ZnodeInput, ZnodeOutput>[] = this.znodeOps;
    const r = checkLinearizable(znodeRegister, znodes);
    if (!r.ok) return explain(znodeRegister, r);
    const seqOps: Operation<{ op: 'createSequential' }, SequentialOutput>[] = this.sequentialOps;
    const dups = duplicateSequentialNames(seqOps);
    if (dups.length > 0) return `sequential names handed out twice: ${dups.join(', ')}`;
    const model = sequentialNames();
    const s = checkLinearizable(model, seqOps);
    if (!s.ok) return explain(model, s);
    return null;
  }

  counts(): { znode: number; sequential: number; unknown: number } {
    const all = [...this.znodeOps, ...this.sequentialOps];
    return { znode: this.znodeOps.length, sequential: this.sequentialOps.length, unknown: all.filter((o) => o.return === undefined).length };
  }
}
