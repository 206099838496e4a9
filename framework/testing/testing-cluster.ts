// TestingCluster: a zabkit ensemble (Zab: leader election, followers, observers) run in-process
// for an application's own tests — every member on 127.0.0.1 with its own free ports and temp
// dataDir. Members can be killed and restarted (same ports, same data) to test failover, and
// the current leader found. Counterpart: Curator's org.apache.curator.test.TestingCluster.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startQuorumPeer, type PeerMode, type QuorumServerSpec, type RunningQuorumPeer, type ServerOptions,
} from '../../server/index.js';
import { freePorts } from './free-ports.js';

export interface TestingClusterOptions {
  /** Voting members. Default 3. */
  size?: number;
  /** Observers (non-voting members) besides. Default 0. */
  observers?: number;
  /** tickTime of every member. Default 500; session timeouts are clamped to [2, 20] x tickTime. */
  tickTimeMs?: number;
  /** initLimit in ticks. Default 10. */
  initLimit?: number;
  /** syncLimit in ticks. Default 5. */
  syncLimit?: number;
  /** Four-letter words served on each client port ('*' = all). Default none. */
  fourLetterWords?: readonly string[] | '*';
  /** Other server settings for every member (host, ports, dataDir and quorum are the cluster's). */
  server?: Partial<Omit<ServerOptions, 'host' | 'port' | 'dataDir' | 'dataLogDir' | 'serverId' | 'quorum'>>;
  /** How long start() and restartServer() wait for an agreed leader. Default 60000. */
  startTimeoutMs?: number;
  /** Receives every member's log lines. Default: dropped. */
  logger?: (sid: number, message: string) => void;
}

export interface TestingClusterMember {
  /** Position in `members` (what killServer / restartServer take). */
  readonly index: number;
  /** The member's server id (myid): index + 1. */
  readonly sid: number;
  readonly role: 'participant' | 'observer';
  /** Client port (kept across restarts). */
  readonly port: number;
  /** "127.0.0.1:port" of this member alone. */
  readonly connectString: string;
  readonly dataDir: string;
  readonly isRunning: boolean;
  /** 'leader' | 'follower' | 'observer' while serving, 'looking' during an election, undefined when killed. */
  readonly mode: PeerMode | undefined;
}

const HOST = '127.0.0.1';
const START_ATTEMPTS = 3;
const RESTART_ATTEMPTS = 20;
const RESTART_RETRY_MS = 100;
const POLL_MS = 25;

interface MemberSlot {
  readonly index: number;
  readonly spec: QuorumServerSpec;
  readonly port: number;
  readonly dataDir: string;
  running: RunningQuorumPeer | undefined;
}

export class TestingCluster implements AsyncDisposable {
  private closed = false;

  /** Starts every member and resolves once they serve with one agreed leader. */
  static async start(options: TestingClusterOptions = {}): Promise<TestingCluster> {
    const size = options.size ?? 3;
    const observers = options.observers ?? 0;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
    if (!Number.isInteger(observers) || observers < 0) throw new RangeError(`observers must be >= 0, got ${observers}`);
    for (let attempt = 1; ; attempt++) {
      const cluster = await TestingCluster.create(size, observers, options);
      try {
        await Promise.all(cluster.slots.map((s) => cluster.startSlot(s)));
        await cluster.findLeader(options.startTimeoutMs);
        return cluster;
      } catch (e) {
        await cluster.close();
        // Free ports are found by probing; another process may take one before a member binds it.
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= START_ATTEMPTS) throw e;
      }
    }
  }

  private static async create(size: number, observers: number, options: TestingClusterOptions): Promise<TestingCluster> {
    const count = size + observers;
    const ports = await freePorts(count * 3);
    const slots: MemberSlot[] = [];
    for (let i = 0; i < count; i++) {
      const sid = i + 1;
      const dataDir = await mkdtemp(join(tmpdir(), `zabkit-cluster-${sid}-`));
      await writeFile(join(dataDir, 'myid'), `${sid}\n`);
      slots.push({
        index: i,
        spec: { sid, host: HOST, quorumPort: ports[3 * i]!, electionPort: ports[3 * i + 1]!, role: i < size ? 'participant' : 'observer' },
        port: ports[3 * i + 2]!,
        dataDir,
        running: undefined,
      });
    }
    return new TestingCluster(slots, options);
  }

  private constructor(
    private readonly slots: MemberSlot[],
    private readonly options: TestingClusterOptions,
  ) {}

  private get voters(): number {
    return this.slots.filter((s) => s.spec.role === 'participant').length;
  }

  /** Every member, running or not. */
  get members(): readonly TestingClusterMember[] {
    return this.slots.map((s) => ({
      index: s.index,
      sid: s.spec.sid,
      role: s.spec.role,
      port: s.port,
      connectString: `${HOST}:${s.port}`,
      dataDir: s.dataDir,
      isRunning: s.running !== undefined,
      mode: s.running?.mode,
    }));
  }

  /** "host:port,..." of every member (killed ones included: clients skip them). */
  get connectString(): string {
    return this.slots.map((s) => `${HOST}:${s.port}`).join(',');
  }

  /** Stops member `index` (its clients fail over to the others); its data stays for restartServer. */
  async killServer(index: number): Promise<void> {
    const slot = this.slot(index);
    const running = slot.running;
    slot.running = undefined;
    await running?.close();
  }

  /**
   * Starts member `index` again on its ports and data, and resolves once it serves again with
   * the others (an agreed leader among the running members).
   */
  async restartServer(index: number): Promise<void> {
    if (this.closed) throw new Error('TestingCluster: restartServer() after close()');
    const slot = this.slot(index);
    await this.killServer(index);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startSlot(slot);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= RESTART_ATTEMPTS) throw e;
        await sleep(RESTART_RETRY_MS);
      }
    }
    await this.findLeader(this.options.startTimeoutMs);
  }

  /**
   * Waits until every running member serves, all follow one leader and a majority of the voters
   * runs; resolves with that leader's index. Rejects after `timeoutMs` (default 60000) — e.g.
   * while no quorum is running.
   */
  async findLeader(timeoutMs = this.options.startTimeoutMs ?? 60_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const running = this.slots.filter((s) => s.running).map((s) => s.running!);
      const leaders = running.filter((r) => r.mode === 'leader');
      const agreed = leaders.length === 1 && running.every((r) => r.mode !== 'looking' && r.leaderId === leaders[0]!.myid);
      // A leader that lost its quorum keeps its mode until syncLimit passes: count the voters behind it.
      const votersRunning = this.slots.filter((s) => s.spec.role === 'participant' && s.running).length;
      if (agreed && votersRunning > this.voters / 2) return leaders[0]!.myid - 1;
      if (this.closed) throw new Error('TestingCluster is closed');
      if (performance.now() > deadline) {
        const modes = running.map((r) => `${r.myid}=${r.mode}${r.leaderId !== undefined ? `(leader ${r.leaderId})` : ''}`).join(' ');
        throw new Error(`TestingCluster: no agreed leader within ${timeoutMs} ms (${modes || 'no member running'})`);
      }
      await sleep(POLL_MS);
    }
  }

  /** Stops every member and removes their data. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => this.killServer(s.index)));
    await Promise.all(this.slots.map((s) => rm(s.dataDir, { recursive: true, force: true })));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  toString(): string {
    return `TestingCluster(${this.members.map((m) => `${m.sid}:${m.mode ?? 'down'}`).join(' ')})`;
  }

  private slot(index: number): MemberSlot {
    const slot = this.slots[index];
    if (!slot) throw new RangeError(`no member ${index} (members 0..${this.slots.length - 1})`);
    return slot;
  }

  private async startSlot(slot: MemberSlot): Promise<void> {
    const o = this.options;
    const sid = slot.spec.sid;
    slot.running = await startQuorumPeer(
      {
        ...o.server,
        host: HOST,
        port: slot.port,
        serverId: sid,
        dataDir: slot.dataDir,
        tickTimeMs: o.tickTimeMs ?? 500,
        initLimit: o.initLimit ?? 10,
        syncLimit: o.syncLimit ?? 5,
        fourLetterWords: o.fourLetterWords ?? o.server?.fourLetterWords ?? [],
        preAllocSizeKb: o.server?.preAllocSizeKb ?? 1024,
        // Quick re-elections: notifications re-sent at most every 2 s (ZooKeeper: 60 s).
        quorum: { servers: this.slots.map((s) => s.spec), electionTickMs: 50, maxNotificationIntervalMs: 2000 },
      },
      o.logger ? (message) => o.logger!(sid, message) : undefined,
    );
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
