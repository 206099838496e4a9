// One ensemble member: the impure driver around server/zab/. It owns what outlives a role —
// storage, the election and its links, the quorum port, the client port, the clocks — and runs
// every input (election notifications, quorum packets, ticks, log completions, forwarded and
// proposed requests) through one serial queue, so each Ready is handled in the order it was
// produced, waiting for the disk when the contract says so. LOOKING → a decided vote starts a
// LeaderRole or LearnerRole on a tree exactly at the last logged zxid; a role that serves gets
// the client port; a role that ends closes every client connection and looks again.
// Counterpart: QuorumPeer (run loop, ServerState, currentVote) + QuorumPeerMain.

import { decodeNotification, encodeNotification, PeerState } from '../../protocol/quorum.js';
import type { ServerOptions } from '../options.js';
import type { RequestProcessor } from '../requests/request-processor.js';
import { Election, type Decision } from '../zab/election.js';
import { quorumConfig, type QuorumConfig } from '../zab/quorum-config.js';
import { ClientListener, type QuorumStatus, type ServerMode, type ServingState } from '../net/client-listener.js';
import { ElectionLinks, type PeerEndpoint } from './election-links.js';
import { formatPeerAddress } from './initial-message.js';
import { LeaderRole } from './leader-role.js';
import { LearnerRole } from './learner-role.js';
import { QuorumPort } from './learner-links.js';
import { advanceState, stateOf } from './member-state.js';
import { QuorumStorage, type MemberState } from './quorum-storage.js';
import type { Role, RoleHost, SyncKind } from './role.js';
import { SerialQueue } from './serial-queue.js';

export type PeerMode = 'leader' | 'follower' | 'observer' | 'looking';

/** ZooKeeper's finalizeWait and the first notification timeout. */
const FINALIZE_WAIT_MS = 200;

export class QuorumPeer implements RoleHost {
  readonly myid: bigint;
  readonly config: QuorumConfig;
  readonly queue: SerialQueue;
  readonly clients: ClientListener;
  private readonly election: Election;
  private readonly electionLinks: ElectionLinks;
  private readonly quorumPort: QuorumPort;
  private readonly self: { electionPort: number; quorumPort: number; observer: boolean };
  private role: Role | undefined;
  private servingRole: Role | undefined;
  /** The tree and sessions between roles (a role's pipeline holds them while it runs). */
  private state: MemberState;
  private readonly timers: NodeJS.Timeout[] = [];
  private leaderTimers: NodeJS.Timeout[] = [];
  private readonly modeWaiters = new Set<() => void>();
  private closing: Promise<void> | undefined;
  /** How many roles this member has taken (leader or learner), for tests and logs. */
  roles = 0;
  /** How this member was synced by its leaders, by kind. */
  readonly syncs: Record<SyncKind, number> = { DIFF: 0, TRUNC: 0, SNAP: 0 };

  private constructor(
    readonly options: ServerOptions,
    readonly storage: QuorumStorage,
    state: MemberState,
    private readonly logger: (message: string) => void,
  ) {
    const quorum = options.quorum!;
    this.myid = BigInt(options.serverId);
    const me = quorum.servers.find((s) => s.sid === options.serverId)!;
    this.self = { electionPort: me.electionPort, quorumPort: me.quorumPort, observer: me.role === 'observer' };
    this.config = quorumConfig(
      quorum.servers.filter((s) => s.role === 'participant').map((s) => s.sid),
      quorum.servers.filter((s) => s.role === 'observer').map((s) => s.sid),
      membershipText(quorum.servers),
    );
    this.state = state;
    this.queue = new SerialQueue((err) => this.taskFailed(err));
    const electionTickMs = Math.max(1, Math.min(quorum.electionTickMs ?? 100, options.tickTimeMs));
    const ticks = (ms: number) => Math.max(1, Math.ceil(ms / electionTickMs));
    this.election = new Election({
      myid: this.myid,
      config: this.config,
      finalizeWaitTicks: ticks(FINALIZE_WAIT_MS),
      minNotificationTicks: ticks(FINALIZE_WAIT_MS),
      maxNotificationTicks: ticks(quorum.maxNotificationIntervalMs ?? 60_000),
    });
    const peers = new Map<bigint, PeerEndpoint>();
    for (const s of quorum.servers) if (s.sid !== options.serverId) peers.set(BigInt(s.sid), { host: s.host, port: s.electionPort });
    this.electionLinks = new ElectionLinks({
      myid: this.myid,
      self: { host: me.host, port: me.electionPort },
      peers,
      onMessage: (from, payload) => this.onNotification(from, payload),
      log: (m) => this.log(m),
      connectTimeoutMs: Math.max(1000, options.tickTimeMs * 2),
    });
    this.quorumPort = new QuorumPort(me.host, me.quorumPort);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const peer = this;
    const serving: ServingState = {
      get processor() { return peer.servingRole?.processor; },
      /** Only read while serving. */
      get mode(): ServerMode { return peer.servingRole?.kind ?? 'follower'; },
      quorumStatus: () => this.status(),
      txnLogStats: () => storage.txnLogStats,
    };
    this.clients = new ClientListener(options, logger, serving);
    storage.onDurable = (zxid) => this.queue.run(() => this.role?.persisted(zxid));
    storage.onFailure = (err) => {
      this.log(`fatal: ${err.message}; stopping this member`);
      void this.close();
    };
    storage.snapshotSource = () => {
      const processor = this.role?.processor;
      if (!processor) return undefined;
      const s = stateOf(processor);
      return { zxid: s.lastZxid, sessions: s.sessions, nodes: s.tree.entries() };
    };
    this.election.lookForLeader({ lastLoggedZxid: storage.lastLoggedZxid, currentEpoch: storage.currentEpoch });
  }

  /** Opens the data directory, listens on the client, election and quorum ports, and starts looking. */
  static async start(options: ServerOptions, logger: (message: string) => void = () => undefined): Promise<QuorumPeer> {
    if (!options.quorum) throw new Error('startQuorumPeer needs options.quorum');
    if (options.dataDir === undefined) throw new Error('an ensemble member needs a dataDir (its txn log and epoch files)');
    const { storage, state } = await QuorumStorage.open({
      dataDir: options.dataDir,
      dataLogDir: options.dataLogDir,
      snapCount: options.snapCount,
      preAllocBytes: options.preAllocSizeKb * 1024,
      fsyncWarningThresholdMs: options.fsyncWarningThresholdMs,
      snapRetainCount: options.snapRetainCount,
      purgeIntervalHours: options.purgeIntervalHours,
      commitLogCount: options.commitLogCount,
      snapshotSizeFactor: options.snapshotSizeFactor,
      random: Math.random,
      log: logger,
    });
    const peer = new QuorumPeer(options, storage, state, logger);
    try {
      await peer.electionLinks.listen();
      await peer.quorumPort.listen();
      await peer.clients.listen();
    } catch (e) {
      await peer.close();
      throw e;
    }
    peer.startClocks();
    peer.queue.run(() => peer.drainElection());
    return peer;
  }

  // ---- what tests and the CLI see ------------------------------------------------------------

  /** 'looking' until a role serves clients. */
  get mode(): PeerMode {
    return this.servingRole?.kind ?? 'looking';
  }

  get address(): { host: string; port: number } {
    return this.clients.address;
  }

  get electionPort(): number {
    return this.self.electionPort;
  }

  get quorumPortNumber(): number {
    return this.self.quorumPort;
  }

  /** The serving pipeline (undefined while looking or syncing). */
  get processor(): RequestProcessor | undefined {
    return this.servingRole?.processor;
  }

  /** The leader this member follows or is, once serving. */
  get leaderId(): bigint | undefined {
    const r = this.servingRole;
    if (!r) return undefined;
    return r instanceof LearnerRole ? r.leader : this.myid;
  }

  /** Resolves when `predicate(mode)` holds (checked now and at every change). */
  waitForMode(predicate: (mode: PeerMode) => boolean, timeoutMs: number): Promise<PeerMode> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this.mode)) return;
        this.modeWaiters.delete(check);
        clearTimeout(timer);
        resolve(this.mode);
      };
      const timer = setTimeout(() => {
        this.modeWaiters.delete(check);
        reject(new Error(`member ${this.myid}: still ${this.mode} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.modeWaiters.add(check);
      check();
    });
  }

  // ---- RoleHost ---------------------------------------------------------------------------------

  now(): number {
    return Date.now();
  }

  log(message: string): void {
    this.logger(`[myid ${this.myid}] ${message}`);
  }

  quorumEndpoint(sid: bigint): PeerEndpoint {
    const s = this.options.quorum!.servers.find((x) => BigInt(x.sid) === sid);
    if (!s) throw new Error(`server ${sid} is not configured`);
    return { host: s.host, port: s.quorumPort };
  }

  serve(role: Role): void {
    if (role !== this.role || this.closing) return;
    this.servingRole = role;
    this.log(`serving clients as ${role.kind} (zxid 0x${role.processor.lastProcessedZxid.toString(16)})`);
    if (role.kind === 'leader') {
      const processor = role.processor;
      const expire = setInterval(() => this.queue.run(() => void processor.expireSessions(this.now())), Math.max(10, Math.floor(this.options.tickTimeMs / 2)));
      const reap = setInterval(() => this.queue.run(() => void processor.reapContainers(this.now())), this.options.containerCheckIntervalMs);
      this.leaderTimers = [expire, reap];
      for (const t of this.leaderTimers) t.unref();
    }
    this.modeChanged();
  }

  noteSync(kind: SyncKind): void {
    this.syncs[kind]++;
    this.log(`synced by ${kind} from leader ${this.role instanceof LearnerRole ? this.role.leader : '?'}`);
  }

  end(role: Role, reason: string): void {
    if (role !== this.role) return;
    this.log(`${role.kind} role ended: ${reason}`);
    this.unserve(`this member is no longer ${role.kind}: ${reason}`);
    role.close();
    this.role = undefined;
    this.state = stateOf(role.processor);
    if (this.closing) return;
    this.election.lookForLeader({ lastLoggedZxid: this.storage.lastLoggedZxid, currentEpoch: this.storage.currentEpoch });
    this.drainElection();
  }

  /**
   * A task threw (a bug, or the disk failed under TRUNC / SNAP / an epoch file): the Ready it was
   * handling is half done, so the role cannot go on. It ends, and the member looks again.
   */
  private taskFailed(err: unknown): void {
    this.log(`quorum: internal error: ${(err as Error).stack ?? err}`);
    if (this.role) {
      this.end(this.role, `internal error: ${(err as Error).message ?? err}`);
    } else if (this.election.state !== PeerState.LOOKING && !this.closing) {
      // A role failed to start: look for a leader again rather than wait for nothing.
      this.election.lookForLeader({ lastLoggedZxid: this.storage.lastLoggedZxid, currentEpoch: this.storage.currentEpoch });
      this.drainElection();
    }
  }

  // ---- election ---------------------------------------------------------------------------------

  private onNotification(from: bigint, payload: Buffer): void {
    let n;
    try {
      n = decodeNotification(payload);
    } catch (e) {
      this.log(`election: dropping a notification from ${from}: ${(e as Error).message}`);
      return;
    }
    this.queue.run(() => {
      this.election.step({ type: 'notification', from, n });
      this.drainElection();
    });
  }

  private drainElection(): void {
    const r = this.election.ready();
    this.election.advance();
    for (const s of r.send) this.electionLinks.send(s.to, encodeNotification(s.n));
    if (r.decided) {
      const decision = r.decided;
      this.queue.run(() => this.startRole(decision));
    }
  }

  private async startRole(d: Decision): Promise<void> {
    if (this.closing) return;
    await this.storage.drain();
    let state = this.state;
    if (state.lastZxid !== this.storage.lastLoggedZxid) {
      // Proposals logged but never applied: the tree must stand at the last logged zxid.
      const entries = this.storage.entriesAfter(state.lastZxid);
      state = entries ? advanceState(state, entries) : await this.storage.reload();
    }
    this.state = state;
    if (this.closing) return;
    this.roles++;
    // A learner's lone PROPOSAL may be logged on the event loop's thread; the leader's write
    // starts on the pool at once, before its PROPOSALs go out (measured better in stop 18).
    this.storage.writeLoneTxnsInline = d.state !== PeerState.LEADING;
    const role = d.state === PeerState.LEADING
      ? new LeaderRole(this, state, this.quorumPort)
      : new LearnerRole(this, state, d, d.state === PeerState.OBSERVING);
    this.role = role;
    this.log(`elected ${d.vote.leader} in round ${d.vote.electionEpoch}: ${role.kind} (zxid 0x${state.lastZxid.toString(16)}, epoch ${this.storage.currentEpoch})`);
    return role.start();
  }

  // ---- clocks ------------------------------------------------------------------------------------

  private startClocks(): void {
    const quorum = this.options.quorum!;
    const electionTickMs = Math.max(1, Math.min(quorum.electionTickMs ?? 100, this.options.tickTimeMs));
    this.timers.push(setInterval(() => this.queue.run(() => {
      this.election.step({ type: 'tick' });
      this.drainElection();
    }), electionTickMs));
    this.timers.push(setInterval(() => this.queue.run(() => this.role?.tick()), this.options.tickTimeMs));
    for (const t of this.timers) t.unref();
  }

  private unserve(reason: string): void {
    for (const t of this.leaderTimers) clearInterval(t);
    this.leaderTimers = [];
    if (this.servingRole) {
      this.servingRole = undefined;
      this.clients.closeConnections(reason);
      this.modeChanged();
    }
  }

  private modeChanged(): void {
    for (const w of [...this.modeWaiters]) w();
  }

  private status(): QuorumStatus {
    const leader = this.servingRole instanceof LeaderRole ? this.servingRole : undefined;
    const counts = leader?.status() ?? { learners: 0, syncedFollowers: 0, syncedObservers: 0, pendingSyncs: 0 };
    return {
      myid: this.options.serverId,
      initLimit: this.options.initLimit,
      syncLimit: this.options.syncLimit,
      electionPort: this.self.electionPort,
      quorumPort: this.self.quorumPort,
      peerType: this.self.observer ? 1 : 0,
      membership: this.config.text,
      votingMembers: this.config.voters.size,
      ...counts,
      proposalSizes: leader?.proposalSizes ?? { last: -1, min: -1, max: -1 },
    };
  }

  // ---- shutdown -----------------------------------------------------------------------------------

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.unserve('server shutting down');
    this.role?.close();
    this.role = undefined;
    this.queue.stop();
    await this.clients.close();
    await this.electionLinks.close();
    await this.quorumPort.close();
    await this.storage.close();
    this.modeChanged();
  }
}

/** The configuration as a dynamic config text (protocol.md §13.4): server lines, then version. */
export function membershipText(servers: readonly { sid: number; host: string; quorumPort: number; electionPort: number; role: string; clientHost?: string; clientPort?: number }[]): string {
  const lines = [...servers].sort((a, b) => a.sid - b.sid).map((s) => {
    const client = s.clientPort === undefined ? '' : `;${formatPeerAddress(s.clientHost ?? '0.0.0.0', s.clientPort)}`;
    return `server.${s.sid}=${formatPeerAddress(s.host, s.quorumPort)}:${s.electionPort}:${s.role}${client}`;
  });
  return `${lines.join('\n')}\nversion=0`;
}
