// The standalone request pipeline in pure form: handshake, per-request dispatch by the op table,
// writes as txns (prepare → log → durable → apply), reads kept in order behind their session's
// writes, sessions and their expiry, container/TTL reaping. Time comes in as an argument; frames
// go out through ClientChannel; the txn log is behind TxnSink and reports back via `durable`.
// Counterpart: ZooKeeperServer.processConnectRequest / processPacket, PrepRequestProcessor →
// SyncRequestProcessor → CommitProcessor → FinalRequestProcessor, ContainerManager.
// An ensemble member's pipelines extend it: leader-requests.ts (prepare + propose) and
// learner-requests.ts (forward writes, apply the leader's commits); the protected methods below
// are the points where they differ. Split out: commit-queue.ts (txns waiting to be durable),
// replies.ts (reply frames), request-body.ts (decoding a request's record), container-reaper.ts.

import * as R from '../../protocol/records.js';
import { Code, KeeperError } from '../../protocol/errors.js';
import type { ConnectRequest, ConnectResponse } from '../../protocol/handshake.js';
import { encodeReplyFrame } from '../../protocol/frames.js';
import { JuteReader } from '../../protocol/jute/reader.js';
import { OpCode, opSpec, Xid, type OpSpec } from '../../protocol/ops.js';
import { authenticate } from '../data/acl.js';
import { DataTree } from '../data/data-tree.js';
import { sessionPassword } from '../sessions/session-password.js';
import { SessionTracker } from '../sessions/session-tracker.js';
import { WatchManager } from '../watches/watch-manager.js';
import { TxnApplier, type ApplyResult } from './apply.js';
import { addAuthIds } from './auth-ids.js';
import type { ClientChannel } from './client-channel.js';
import { CommitQueue } from './commit-queue.js';
import { reapCandidates } from './container-reaper.js';
import { PendingChanges } from './pending-changes.js';
import { Preparer } from './prepare.js';
import { ReadProcessor } from './reads.js';
import { decodeRequestBody } from './request-body.js';
import { replyFrame, writeReplyContent } from './replies.js';
import { ReplyOrder } from './reply-order.js';
import type { Txn } from './txn.js';
import type { RecoveredState } from './recovered-state.js';

export interface ProcessorOptions {
  readonly tickTimeMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly extendedTypesEnabled: boolean;
  readonly reconfigEnabled: boolean;
  readonly superDigest: string | undefined;
  readonly containerMaxNeverUsedIntervalMs: number;
  readonly serverId: number;
}

/** Where prepared txns go before they are applied: the txn log, or nothing when in memory. */
export interface TxnSink {
  /**
   * Takes the next txn in zxid order. Returns true when it is durable already (in memory);
   * otherwise the driver calls `RequestProcessor.durable(zxid)` once it is on disk (or
   * `markDurable` then `applyDurable` in slices, to keep each turn of its event loop short).
   */
  append(txn: Txn): boolean;
}

/** What `connect` answers: a response to send (then close if invalid), or close without one. */
export type ConnectOutcome = { response: ConnectResponse; valid: boolean } | 'close';

const IN_MEMORY: TxnSink = { append: () => true };

const INVALID_PASSWD = Buffer.alloc(16);

export class RequestProcessor {
  readonly tree: DataTree = new DataTree();
  readonly watches = new WatchManager();
  readonly sessions: SessionTracker;
  private readonly pending: PendingChanges;
  protected readonly preparer: Preparer;
  private readonly applier: TxnApplier;
  private readonly reads: ReadProcessor;
  protected readonly channels = new Map<bigint, ClientChannel>();
  private readonly order = new Map<ClientChannel, ReplyOrder>();
  /** Txns handed to the sink and not yet applied, in zxid order. */
  private readonly commits = new CommitQueue();
  lastProcessedZxid = 0n;
  /** The zxid of the last txn prepared (handed to the sink). */
  protected lastZxid = 0n;
  /** What txnTime gave last, and the millisecond it stands for. */
  private lastTime = 0n;
  private lastTimeMs = 0;

  constructor(
    protected readonly options: ProcessorOptions,
    nowMs: number,
    private readonly sink: TxnSink = IN_MEMORY,
    recovered?: RecoveredState,
  ) {
    if (recovered) {
      this.tree = recovered.tree;
      this.lastProcessedZxid = this.lastZxid = recovered.lastZxid;
    }
    this.sessions = new SessionTracker(options.tickTimeMs, options.serverId, nowMs);
    for (const [id, timeoutMs] of recovered?.sessions ?? []) this.sessions.add(id, timeoutMs, nowMs);
    // The tree reads ephemeralOwners as this server does (TTL markers only with extended types on).
    this.tree.setExtendedTypesEnabled(options.extendedTypesEnabled);
    this.pending = new PendingChanges(this.tree);
    this.preparer = new Preparer(this.tree, this.pending, this.sessions, options);
    this.applier = new TxnApplier(this.tree, this.watches);
    this.reads = new ReadProcessor(this.tree, this.watches);
  }

  // ---- handshake ----

  /**
   * Answers a ConnectRequest through `answer`: at once for a resumed or refused session, once its
   * createSession txn is durable for a new one; 'close' when ZooKeeper closes without replying
   * (the client has seen a newer zxid).
   */
  connect(channel: ClientChannel, req: ConnectRequest, nowMs: number, answer: (outcome: ConnectOutcome) => void): void {
    if (req.lastZxidSeen > this.lastProcessedZxid) return answer('close');
    const { minSessionTimeoutMs: min, maxSessionTimeoutMs: max } = this.options;
    const timeOut = Math.min(Math.max(req.timeOut, min), max);
    const readOnly = req.readOnly === undefined ? undefined : false;
    const refuse = () => answer({ response: { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: INVALID_PASSWD, readOnly }, valid: false });
    if (req.sessionId === 0n) {
      const id = this.sessions.nextSessionId();
      this.createSession(id, timeOut, nowMs, (created) => {
        if (!created) return refuse();
        this.bind(channel, id);
        answer({ response: { protocolVersion: 0, timeOut, sessionId: id, passwd: sessionPassword(id), readOnly }, valid: true });
      });
      return;
    }
    // ZooKeeper drops the session's current connection before it even checks the password.
    const previous = this.channels.get(req.sessionId);
    if (previous && previous !== channel) {
      this.channels.delete(req.sessionId);
      previous.close('client reconnected to its session');
    }
    const expected = sessionPassword(req.sessionId);
    if (!req.passwd.equals(expected)) return refuse();
    this.validateSession(req.sessionId, timeOut, nowMs, (valid) => {
      if (!valid) return refuse();
      this.bind(channel, req.sessionId);
      answer({ response: { protocolVersion: 0, timeOut, sessionId: req.sessionId, passwd: expected, readOnly }, valid: true });
    });
  }

  /** Makes a new session durable (a createSession txn), then calls `done(true)`. */
  protected createSession(id: bigint, timeoutMs: number, nowMs: number, done: (created: boolean) => void): void {
    const txn = this.preparer.prepareCreateSession(id, timeoutMs, this.nextZxid(), this.txnTime(nowMs));
    this.submit(txn, nowMs, () => done(true));
  }

  /** A client resumes `id` with the right password: is the session still alive (and touched)? */
  protected validateSession(id: bigint, timeoutMs: number, nowMs: number, answer: (valid: boolean) => void): void {
    if (!this.sessions.touch(id, nowMs)) return answer(false);
    this.sessions.get(id)!.timeoutMs = timeoutMs;
    this.sessions.touch(id, nowMs);
    answer(true);
  }

  protected bind(channel: ClientChannel, sessionId: bigint): void {
    const previous = this.channels.get(sessionId);
    if (previous && previous !== channel) previous.close('session moved to a new connection');
    channel.sessionId = sessionId;
    this.channels.set(sessionId, channel);
  }

  /** A connection went away: its watches go with it; its session lives on until it expires. */
  disconnected(channel: ClientChannel): void {
    this.watches.removeWatcher(channel);
    this.order.delete(channel);
    if (this.channels.get(channel.sessionId) === channel) this.channels.delete(channel.sessionId);
  }

  // ---- requests ----

  /** Handles one request frame (after the handshake). Replies go out through the channel. */
  process(channel: ClientChannel, frame: Buffer, nowMs: number): void {
    const r = new JuteReader(frame);
    let header: R.RequestHeader;
    try {
      header = R.RequestHeader.decode(r);
    } catch {
      channel.close('malformed request header');
      return;
    }
    const { xid, type } = header;
    const bodyStart = r.position;
    const spec = opSpec(type);
    if (!spec || type === OpCode.check || type === OpCode.createSession || type === OpCode.sasl) {
      channel.send(encodeReplyFrame(xid, -1n, Code.UNIMPLEMENTED));
      channel.close(`unimplemented op ${type}`);
      return;
    }
    this.touch(channel.sessionId, nowMs);
    switch (type) {
      case OpCode.ping:
        this.inOrder(channel, () => this.reply(channel, spec, Xid.PING, this.lastProcessedZxid, 0));
        return;
      case OpCode.auth:
        this.processAuth(channel, spec, xid, r);
        return;
      case OpCode.closeSession: {
        const slot = this.orderOf(channel).reserve();
        this.closeSession(channel, xid, nowMs, () => slot(() => {
          this.reply(channel, spec, xid, this.lastProcessedZxid, 0);
          channel.close('session closed by client');
        }));
        return;
      }
    }
    const decoded = decodeRequestBody(spec, r);
    if (spec.kind === 'write') {
      this.processWrite(channel, spec, xid, decoded?.request, frame.subarray(bodyStart), nowMs);
    } else if (decoded === undefined) {
      this.inOrder(channel, () => this.reply(channel, spec, xid, this.lastProcessedZxid, Code.MARSHALLINGERROR));
    } else if (type === OpCode.sync) {
      this.processSync(channel, spec, xid, decoded.request, frame.subarray(bodyStart));
    } else {
      this.inOrder(channel, () => this.processRead(channel, spec, xid, decoded.request));
    }
  }

  /** Activity on a session (every request, pings included) moves its expiry forward. */
  protected touch(sessionId: bigint, nowMs: number): void {
    this.sessions.touch(sessionId, nowMs);
  }

  /** closeSession from the client: a txn; `done` runs once it is applied. */
  protected closeSession(channel: ClientChannel, xid: number, nowMs: number, done: () => void): void {
    const txn = this.preparer.prepareCloseSession(channel.sessionId, xid, this.nextZxid(), this.txnTime(nowMs));
    this.submit(txn, nowMs, done);
  }

  /** sync: standalone, everything is already applied here, so it is answered in session order. */
  protected processSync(channel: ClientChannel, spec: OpSpec, xid: number, request: unknown, _body: Buffer): void {
    this.inOrder(channel, () => this.processRead(channel, spec, xid, request));
  }

  private processAuth(channel: ClientChannel, spec: OpSpec, xid: number, r: JuteReader): void {
    let packet: R.AuthPacket;
    try {
      packet = R.AuthPacket.decode(r);
    } catch {
      channel.close('malformed auth packet');
      return;
    }
    const ids = authenticate(packet.scheme, packet.auth ?? Buffer.alloc(0), channel.remoteIp, this.options.superDigest);
    if (!ids) {
      this.reply(channel, spec, xid, 0n, Code.AUTHFAILED);
      channel.close(`auth failed for scheme ${packet.scheme}`);
      return;
    }
    addAuthIds(channel.authIds, ids);
    this.reply(channel, spec, xid, 0n, 0);
  }

  /** A write: prepared here (request undefined when it did not decode), logged, applied, answered. `body` is the raw request. */
  protected processWrite(channel: ClientChannel, spec: OpSpec, xid: number, request: unknown, _body: Buffer, nowMs: number): void {
    const zxid = this.nextZxid();
    const time = this.txnTime(nowMs);
    const txn: Txn = request === undefined
      ? {
          header: { clientId: channel.sessionId, cxid: xid, zxid, time, type: OpCode.error },
          record: { type: OpCode.error, body: { err: Code.MARSHALLINGERROR } },
        }
      : this.preparer.prepare(
          { sessionId: channel.sessionId, cxid: xid, type: spec.code, request, authIds: channel.authIds }, zxid, time,
        );
    const slot = this.orderOf(channel).reserve();
    this.submit(txn, nowMs, (result) => slot(() => this.replyToWrite(channel, spec, xid, result)));
  }

  /** Runs a read-side step now, or after the writes this connection is still waiting for. */
  protected inOrder(channel: ClientChannel, step: () => void): void {
    const order = this.order.get(channel);
    if (order === undefined || order.idle) step();
    else order.run(step);
  }

  protected orderOf(channel: ClientChannel): ReplyOrder {
    let order = this.order.get(channel);
    if (order === undefined) this.order.set(channel, (order = new ReplyOrder()));
    return order;
  }

  protected replyToWrite(channel: ClientChannel, spec: OpSpec, xid: number, result: ApplyResult): void {
    const { err, body } = writeReplyContent(spec, result);
    this.reply(channel, spec, xid, this.lastProcessedZxid, err, body);
  }

  protected processRead(channel: ClientChannel, spec: OpSpec, xid: number, request: unknown): void {
    const session = this.sessions.get(channel.sessionId);
    if (!session || session.closing) {
      this.reply(channel, spec, xid, this.lastProcessedZxid, Code.SESSIONEXPIRED);
      return;
    }
    let body: unknown;
    try {
      body = this.reads.read(spec.code, request, channel);
    } catch (e) {
      if (!(e instanceof KeeperError)) throw e;
      this.reply(channel, spec, xid, this.lastProcessedZxid, e.code);
      return;
    }
    this.reply(channel, spec, xid, this.lastProcessedZxid, 0, body);
  }

  protected reply(channel: ClientChannel, spec: OpSpec, xid: number, zxid: bigint, err: number, body?: unknown): void {
    channel.send(replyFrame(spec, xid, zxid, err, body));
    channel.recordReply?.(spec.lop, xid, zxid);
  }

  // ---- commit ----

  protected nextZxid(): bigint {
    return ++this.lastZxid;
  }

  /**
   * A txn's time (whole ms) as the bigint its header and the znodes it makes keep. Txns prepared
   * in the same millisecond share one: each bigint is a heap object, and a znode holds its ctime
   * and mtime for as long as it lives.
   */
  protected txnTime(nowMs: number): bigint {
    const ms = Math.trunc(nowMs);
    if (ms !== this.lastTimeMs) {
      this.lastTimeMs = ms;
      this.lastTime = BigInt(ms);
    }
    return this.lastTime;
  }

  /** Hands a txn to the log; `done` runs once it is durable and applied. */
  protected submit(txn: Txn, nowMs: number, done: (result: ApplyResult) => void): void {
    this.commits.push(txn, done);
    if (this.sink.append(txn)) this.durable(txn.header.zxid, nowMs);
  }

  /** The log says every txn up to `zxid` is durable: apply them in order and answer, now. */
  durable(zxid: bigint, nowMs: number): void {
    this.markDurable(zxid);
    this.applyDurable(Infinity, nowMs);
  }

  /** The log says every txn up to `zxid` is durable; they are applied by `applyDurable`. */
  markDurable(zxid: bigint): void {
    this.commits.markDurable(zxid);
  }

  /**
   * Applies (and answers) at most `max` of the durable txns, in zxid order; returns whether
   * durable txns are still waiting. A driver calls it in slices to bound each turn of its event
   * loop: requests that arrive between slices see a prefix of the log applied, as they would
   * had the log synced in smaller batches, and each session's replies stay in order.
   */
  applyDurable(max: number, nowMs: number): boolean {
    for (let applied = 0; applied < max; applied++) {
      const next = this.commits.takeDurable();
      if (next === undefined) break;
      next.done(this.applyCommitted(next.txn, nowMs));
    }
    this.applied();
    return this.commits.hasDurable;
  }

  /** Called after each batch of txns is applied (ensemble pipelines release waiting syncs here). */
  protected applied(): void {}

  /** Txns handed to the log and not yet applied. */
  get pendingTxns(): number {
    return this.commits.length;
  }

  protected applyCommitted(txn: Txn, nowMs: number): ApplyResult {
    const result = this.applier.apply(txn);
    const { zxid, clientId, type } = txn.header;
    if (type === OpCode.createSession && txn.record.type === OpCode.createSession) {
      this.sessions.add(clientId, txn.record.body.timeOut, nowMs);
    } else if (type === OpCode.closeSession) {
      this.sessions.remove(clientId);
      this.channels.delete(clientId);
    }
    this.lastProcessedZxid = zxid;
    this.pending.applied(zxid);
    return result;
  }

  // ---- timers (driven by the caller) ----

  /** Expires sessions whose deadline has passed: each gets a closeSession txn. */
  expireSessions(nowMs: number): bigint[] {
    const expired = this.sessions.expire(nowMs);
    for (const s of expired) {
      const channel = this.channels.get(s.id);
      const txn = this.preparer.prepareCloseSession(s.id, 0, this.nextZxid(), this.txnTime(nowMs));
      this.submit(txn, nowMs, () => channel?.close('session expired'));
    }
    return expired.map((s) => s.id);
  }

  /** Deletes empty used containers and expired TTL nodes, as ZooKeeper's ContainerManager; returns the paths whose delete was issued. */
  reapContainers(nowMs: number): string[] {
    const now = this.txnTime(nowMs);
    const reaped: string[] = [];
    for (const path of reapCandidates(this.tree, now, this.options)) {
      const txn = this.preparer.prepareDeleteContainer(path, this.nextZxid(), now);
      if (txn.header.type !== OpCode.error) reaped.push(path);
      this.submit(txn, nowMs, () => undefined);
    }
    return reaped;
  }

  channelOf(sessionId: bigint): ClientChannel | undefined {
    return this.channels.get(sessionId);
  }
}

