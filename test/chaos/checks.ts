// What a chaos run must show once the faults are over and the load has stopped, read on EVERY
// member through a session of its own after `sync`:
//  * no acknowledged write lost — every acked sequential create is there with its data; each
//    client's counter holds its last acked value (or a later, unacknowledged one);
//  * the members agree — same register values and versions, same sequential children;
//  * the history is linearizable — the register ops (with these final reads appended) under
//    znodeRegister, the sequential creates under sequentialNames, no sequential name twice.
// Returns the problems found as text (empty = all good).

import { ZooKeeperClient } from '../../framework/index.js';
import { Code, KeeperError } from '../../protocol/index.js';
import {
  checkLinearizable, duplicateSequentialNames, explain, sequentialNames, znodeRegister,
  type Operation, type ZnodeInput, type ZnodeOutput,
} from '../support/linearizability/index.js';
import type { ProcessEnsemble } from '../support/zabkit-ensemble.js';
import { ownPath, registerPath, SEQ_PARENT, type Workload } from './workload.js';

/** Client ids of the final readers: FINAL_READER + sid. */
const FINAL_READER = 1000;

interface MemberView {
  sid: number;
  registers: string[];
  children: string[];
  own: string[];
}

export async function checkAfterChaos(ensemble: ProcessEnsemble, load: Workload, registers: number): Promise<string[]> {
  const problems: string[] = [];
  const views: MemberView[] = [];
  for (const m of ensemble.members) {
    const c = await ZooKeeperClient.connect(m.connectString, { sessionTimeoutMs: 10_000 }, 60_000);
    try {
      views.push(await readMember(c, m.sid, load, registers, problems));
    } finally {
      await c.close();
    }
  }
  const first = views[0]!;
  for (const v of views.slice(1)) {
    for (const [what, a, b] of [['registers', first.registers, v.registers], ['sequential children', first.children, v.children], ['counters', first.own, v.own]] as const) {
      if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`server.${v.sid} differs from server.${first.sid} in its ${what}: ${JSON.stringify(b)} vs ${JSON.stringify(a)}`);
    }
  }

  const z = checkLinearizable(znodeRegister, load.znodeOps);
  if (!z.ok) problems.push(explain(znodeRegister, z));
  const dups = duplicateSequentialNames(load.seqOps);
  if (dups.length > 0) problems.push(`sequential names handed out twice: ${dups.join(', ')}`);
  const model = sequentialNames();
  const s = checkLinearizable(model, load.seqOps);
  if (!s.ok) problems.push(explain(model, s));
  const unknownSeq = load.seqOps.filter((op) => op.return === undefined).length;
  if (first.children.length > load.ackedSequential.size + unknownSeq) {
    problems.push(`${first.children.length} sequential children but only ${load.ackedSequential.size} acked and ${unknownSeq} unknown creates`);
  }
  return problems;
}

async function readMember(c: ZooKeeperClient, sid: number, load: Workload, registers: number, problems: string[]): Promise<MemberView> {
  const view: MemberView = { sid, registers: [], children: [], own: [] };
  // The final register reads join the history: they come after every op of the load returned.
  for (let k = 0; k < registers; k++) {
    const path = registerPath(k);
    const op: { -readonly [K in keyof Operation<ZnodeInput, ZnodeOutput>]: Operation<ZnodeInput, ZnodeOutput>[K] } = {
      client: FINAL_READER + sid, key: path, input: { op: 'read' }, output: undefined, call: performance.now(), return: undefined,
    };
    await c.sync(path);
    try {
      const { data, stat } = await c.getData(path);
      op.output = { err: 0, data: data?.toString() ?? '', version: stat.version };
      view.registers.push(`${path}=${op.output.data}@v${stat.version}`);
    } catch (err) {
      if (!(err instanceof KeeperError) || err.code !== Code.NONODE) throw err;
      op.output = { err: Code.NONODE };
      view.registers.push(`${path} absent`);
    }
    op.return = performance.now();
    load.znodeOps.push(op);
  }

  await c.sync(SEQ_PARENT);
  view.children = (await c.getChildren(SEQ_PARENT)).children.sort();
  const present = new Set(view.children.map((name) => `${SEQ_PARENT}/${name}`));
  const acked = [...load.ackedSequential];
  const missing = acked.filter(([path]) => !present.has(path)).map(([path]) => path);
  if (missing.length > 0) problems.push(`server.${sid} lost ${missing.length} acked sequential creates: ${missing.slice(0, 10).join(', ')}`);
  const datas = await Promise.all(acked.filter(([path]) => present.has(path)).map(async ([path, tag]) => [path, tag, (await c.getData(path)).data?.toString()] as const));
  const wrong = datas.filter(([, tag, got]) => got !== tag);
  if (wrong.length > 0) problems.push(`server.${sid} has other data in acked sequential creates: ${wrong.slice(0, 5).map(([p, t, g]) => `${p}=${g} (acked ${t})`).join(', ')}`);

  for (let i = 0; i < load.ownWrites.length; i++) {
    const path = ownPath(i);
    await c.sync(path);
    const value = (await c.getData(path)).data?.toString() ?? '';
    view.own.push(value);
    const writes = load.ownWrites[i]!;
    const lastAcked = writes.map((w) => w.acked).lastIndexOf(true);
    const allowed = new Set([lastAcked < 0 ? '0' : String(writes[lastAcked]!.value), ...writes.slice(lastAcked + 1).map((w) => String(w.value))]);
    if (!allowed.has(value)) {
      problems.push(`server.${sid}: ${path} holds ${value}, but the last acked write was ${lastAcked < 0 ? 'none (initial 0)' : writes[lastAcked]!.value} and only ${[...allowed].join(', ')} may be there`);
    }
  }
  return view;
}
