// An in-process ensemble for integration tests: members on free 127.0.0.1 ports, each with a
// temp dataDir, started with startQuorumPeer. Members can be stopped and started again on the
// same ports and data (a restart), and the helpers wait for modes without fixed sleeps.
// The ports lie outside the kernel's ephemeral range (freePorts): while a member is stopped its
// ports are free, and an ephemeral one would be handed to the next listen(0) of any process on
// the shared machine, after which the member could not come back on it.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startQuorumPeer, type QuorumServerSpec, type RunningQuorumPeer, type ServerOptions } from '../../../server/index.js';
import { freePorts } from '../../support/ports.js';
import { removeDataDir, tempDataDir } from '../../support/data-dirs.js';

export interface EnsembleOptions {
  voters: number;
  observers?: number;
  tickTimeMs?: number;
  initLimit?: number;
  syncLimit?: number;
  /** Extra ServerOptions for every member. */
  server?: Partial<ServerOptions>;
  /** Print member logs (debugging). */
  verbose?: boolean;
}

export interface Member {
  readonly sid: number;
  readonly dataDir: string;
  readonly clientPort: number;
  running: RunningQuorumPeer | undefined;
  readonly logs: string[];
}

export class TestEnsemble {
  readonly members: Member[] = [];
  private servers: QuorumServerSpec[] = [];

  private constructor(private readonly o: EnsembleOptions) {}

  static async start(o: EnsembleOptions): Promise<TestEnsemble> {
    const e = new TestEnsemble(o);
    const count = o.voters + (o.observers ?? 0);
    const ports = await freePorts(count * 3);
    for (let i = 0; i < count; i++) {
      const sid = i + 1;
      const dataDir = tempDataDir(`zabkit-q${sid}`);
      writeFileSync(join(dataDir, 'myid'), `${sid}\n`);
      e.servers.push({
        sid, host: '127.0.0.1', quorumPort: ports[3 * i]!, electionPort: ports[3 * i + 1]!,
        role: i < o.voters ? 'participant' : 'observer',
      });
      e.members.push({ sid, dataDir, clientPort: ports[3 * i + 2]!, running: undefined, logs: [] });
    }
    await Promise.all(e.members.map((m) => e.startMember(m.sid)));
    return e;
  }

  get serverSpecs(): readonly QuorumServerSpec[] {
    return this.servers;
  }

  member(sid: number): Member {
    return this.members[sid - 1]!;
  }

  running(sid: number): RunningQuorumPeer {
    const r = this.member(sid).running;
    if (!r) throw new Error(`member ${sid} is not running`);
    return r;
  }

  async startMember(sid: number): Promise<RunningQuorumPeer> {
    const m = this.member(sid);
    const o = this.o;
    const log = (line: string) => {
      m.logs.push(line);
      if (o.verbose) console.log(line);
    };
    m.running = await startQuorumPeer({
      host: '127.0.0.1',
      port: m.clientPort,
      serverId: sid,
      dataDir: m.dataDir,
      tickTimeMs: o.tickTimeMs ?? 500,
      initLimit: o.initLimit ?? 10,
      syncLimit: o.syncLimit ?? 10,
      maxClientCnxns: 0,
      fourLetterWords: '*',
      preAllocSizeKb: 64,
      ...o.server,
      quorum: { servers: this.servers, electionTickMs: 50, maxNotificationIntervalMs: 2000 },
    }, log);
    return m.running;
  }

  async stopMember(sid: number): Promise<void> {
    const m = this.member(sid);
    const r = m.running;
    m.running = undefined;
    await r?.close();
  }

  /** Every running member serves, and they agree on one leader; returns its sid. */
  async waitForLeader(timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = this.members.filter((m) => m.running).map((m) => m.running!);
      const leaders = running.filter((r) => r.mode === 'leader');
      const serving = running.filter((r) => r.mode !== 'looking');
      if (leaders.length === 1 && serving.length === running.length && serving.every((r) => r.leaderId === leaders[0]!.myid)) {
        return leaders[0]!.myid;
      }
      if (Date.now() > deadline) {
        throw new Error(`no agreed leader within ${timeoutMs} ms: ${running.map((r) => `${r.myid}=${r.mode}(${r.leaderId})`).join(' ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** "h:p,h:p,..." of the running members (or of the given sids). */
  connectString(sids?: number[]): string {
    return (sids ?? this.members.filter((m) => m.running).map((m) => m.sid)).map((sid) => `127.0.0.1:${this.member(sid).clientPort}`).join(',');
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => this.stopMember(m.sid)));
    for (const m of this.members) removeDataDir(m.dataDir);
  }
}
