// The chaos tests' client load and its history: real ZooKeeperClient sessions spread over the
// members (client i starts on member i mod n), each issuing one op at a time from a seeded mix:
//  * shared registers /chaos/r<k> — sync + getData, blind setData, compare-and-set setData with
//    the version last read, create, delete — for the znodeRegister linearizability model;
//  * sequential creates under /chaos/seq — for the sequentialNames model and for "every acked
//    create is there afterwards";
//  * a counter per client on /chaos/own/c<i> (setData only by its owner) — "the last acked value,
//    or a later unacknowledged one, is what every member holds afterwards".
// Every op is stamped with performance.now() at call and return; an op whose answer never came
// (connection loss, expiry, timeout) has an unknown outcome. Successful writes are kept apart to
// measure failover (fault → first acknowledged write called after it).
// Counterpart: a Jepsen client + generator for ZooKeeper.

import { ZooKeeperClient } from '../../framework/index.js';
import { Code, CreateMode, KeeperError } from '../../protocol/index.js';
import type { Operation, SequentialOutput, ZnodeInput, ZnodeOutput } from '../support/linearizability/index.js';
import { seededRandom } from '../support/prng.js';

export const ROOT = '/chaos';
export const SEQ_PARENT = `${ROOT}/seq`;
export const registerPath = (k: number): string => `${ROOT}/r${k}`;
export const ownPath = (client: number): string => `${ROOT}/own/c${client}`;

/** Answers that say what the state was; any other error leaves the outcome unknown. */
const STATE_ERRORS = new Set<number>([Code.NONODE, Code.NODEEXISTS, Code.BADVERSION]);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type SeqInput = { op: 'createSequential' };

export interface WorkloadOptions {
  /** One connect string per client (its first host is where it starts). */
  connectStrings: readonly string[];
  seed: number;
  registers: number;
  sessionTimeoutMs: number;
}

export interface OwnWrite {
  readonly value: number;
  /** true = acknowledged, false = outcome unknown (never a definite failure: blind sets cannot fail). */
  readonly acked: boolean;
}

export interface AckedWrite {
  readonly client: number;
  readonly call: number;
  readonly return: number;
}

export class Workload {
  readonly znodeOps: Operation<ZnodeInput, ZnodeOutput>[] = [];
  readonly seqOps: Operation<SeqInput, SequentialOutput>[] = [];
  /** Every sequential create acknowledged: its full path → its data. */
  readonly ackedSequential = new Map<string, string>();
  /** Per client, its own counter writes in order. */
  readonly ownWrites: OwnWrite[][];
  /** Every acknowledged write (for failover times), in the order the answers arrived. */
  readonly ackedWrites: AckedWrite[] = [];
  /** Sessions replaced after they expired. */
  expiredSessions = 0;
  private readonly clients: (ZooKeeperClient | undefined)[];
  private readonly loops: Promise<void>[] = [];
  private stopping = false;

  constructor(private readonly o: WorkloadOptions) {
    this.clients = o.connectStrings.map(() => undefined);
    this.ownWrites = o.connectStrings.map(() => []);
  }

  get operations(): number {
    return this.znodeOps.length + this.seqOps.length + this.ownWrites.reduce((n, w) => n + w.length, 0);
  }

  get unknown(): number {
    return [...this.znodeOps, ...this.seqOps].filter((op) => op.return === undefined).length +
      this.ownWrites.reduce((n, w) => n + w.filter((x) => !x.acked).length, 0);
  }

  /** Creates the tree the load works in (through `admin`), then starts every client. */
  async start(admin: ZooKeeperClient): Promise<void> {
    await admin.create(ROOT);
    await admin.create(SEQ_PARENT);
    await admin.create(`${ROOT}/own`);
    for (let i = 0; i < this.o.connectStrings.length; i++) await admin.create(ownPath(i), Buffer.from('0'));
    for (let i = 0; i < this.o.connectStrings.length; i++) {
      this.clients[i] = await this.connect(i);
      this.loops.push(this.run(i));
    }
  }

  /** The first acknowledged write whose call came at or after `t` (undefined if none yet). */
  firstAckedWriteAfter(t: number): AckedWrite | undefined {
    let best: AckedWrite | undefined;
    for (const w of this.ackedWrites) if (w.call >= t && (best === undefined || w.return < best.return)) best = w;
    return best;
  }

  /** Stops issuing, waits for every client's last op, and closes the sessions. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    await Promise.all(this.clients.map((c) => c?.close()));
  }

  private connect(i: number): Promise<ZooKeeperClient> {
    // random ≈ 1 keeps the hosts in the given order, so client i starts on its own member.
    return ZooKeeperClient.connect(this.o.connectStrings[i]!, {
      sessionTimeoutMs: this.o.sessionTimeoutMs, reconnectDelayMs: 50, spinDelayMs: 200, random: () => 0.999999,
    }, 60_000);
  }

  private async run(i: number): Promise<void> {
    const random = seededRandom(this.o.seed * 1000 + i);
    const lastVersion = new Map<number, number>();
    let n = 0;
    while (!this.stopping) {
      const client = this.clients[i]!;
      n++;
      const tag = `c${i}-${n}`;
      const r = random();
      const k = Math.floor(random() * this.o.registers);
      let outcome: 'ok' | 'state' | 'unknown';
      if (r < 0.8) {
        outcome = await this.register(i, client, k, r, tag, lastVersion);
      } else if (r < 0.9) {
        outcome = await this.sequential(i, client, tag);
      } else {
        outcome = await this.own(i, client, n);
      }
      if (outcome === 'unknown') {
        if (client.phase === 'expired') {
          this.expiredSessions++;
          await client.close();
          const next = await this.reconnect(i);
          if (next === undefined) break;
          this.clients[i] = next;
        } else {
          await sleep(50);
        }
      }
    }
  }

  /** A new session for client i (undefined once the load stops). */
  private async reconnect(i: number): Promise<ZooKeeperClient | undefined> {
    while (!this.stopping) {
      try {
        return await this.connect(i);
      } catch {
        await sleep(100);
      }
    }
    return undefined;
  }

  private async register(i: number, c: ZooKeeperClient, k: number, r: number, tag: string, lastVersion: Map<number, number>): Promise<'ok' | 'state' | 'unknown'> {
    const path = registerPath(k);
    const data = Buffer.from(tag);
    if (r < 0.25) {
      return this.znode(i, path, { op: 'read' }, async () => {
        await c.sync(path);
        const { data: got, stat } = await c.getData(path);
        lastVersion.set(k, stat.version);
        return { err: 0, data: got?.toString() ?? '', version: stat.version };
      }, false);
    }
    if (r < 0.45) {
      return this.znode(i, path, { op: 'set', data: tag, version: -1 }, async () => ({ err: 0, version: (await c.setData(path, data)).version }), true);
    }
    if (r < 0.6) {
      const version = lastVersion.get(k) ?? 0;
      return this.znode(i, path, { op: 'set', data: tag, version }, async () => ({ err: 0, version: (await c.setData(path, data, version)).version }), true);
    }
    if (r < 0.72) {
      return this.znode(i, path, { op: 'create', data: tag }, async () => {
        await c.create(path, data);
        return { err: 0 };
      }, true);
    }
    const version = r < 0.76 ? -1 : (lastVersion.get(k) ?? 0);
    return this.znode(i, path, { op: 'delete', version }, async () => {
      await c.delete(path, version);
      return { err: 0 };
    }, true);
  }

  private async znode(client: number, key: string, input: ZnodeInput, run: () => Promise<ZnodeOutput>, write: boolean): Promise<'ok' | 'state' | 'unknown'> {
    const op: Mutable<Operation<ZnodeInput, ZnodeOutput>> = { client, key, input, output: undefined, call: performance.now(), return: undefined };
    this.znodeOps.push(op);
    try {
      op.output = await run();
      op.return = performance.now();
      if (write) this.ackedWrites.push({ client, call: op.call, return: op.return });
      return 'ok';
    } catch (err) {
      if (err instanceof KeeperError && STATE_ERRORS.has(err.code)) {
        op.output = { err: err.code };
        op.return = performance.now();
        return 'state';
      }
      return 'unknown';
    }
  }

  private async sequential(client: number, c: ZooKeeperClient, tag: string): Promise<'ok' | 'state' | 'unknown'> {
    const op: Mutable<Operation<SeqInput, SequentialOutput>> = {
      client, key: SEQ_PARENT, input: { op: 'createSequential' }, output: undefined, call: performance.now(), return: undefined,
    };
    this.seqOps.push(op);
    try {
      const { path } = await c.create(`${SEQ_PARENT}/n-`, Buffer.from(tag), { mode: CreateMode.PERSISTENT_SEQUENTIAL });
      op.return = performance.now();
      op.output = { err: 0, seq: Number(path.slice(`${SEQ_PARENT}/n-`.length)) };
      this.ackedSequential.set(path, tag);
      this.ackedWrites.push({ client, call: op.call, return: op.return });
      return 'ok';
    } catch {
      return 'unknown';
    }
  }

  private async own(client: number, c: ZooKeeperClient, n: number): Promise<'ok' | 'state' | 'unknown'> {
    const call = performance.now();
    try {
      await c.setData(ownPath(client), Buffer.from(String(n)));
      this.ownWrites[client]!.push({ value: n, acked: true });
      this.ackedWrites.push({ client, call, return: performance.now() });
      return 'ok';
    } catch {
      this.ownWrites[client]!.push({ value: n, acked: false });
      return 'unknown';
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
