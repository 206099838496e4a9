// The standalone request pipeline in pure form: handshake, per-request dispatch by the op table,
// writes as txns (prepare → log → durable → apply), reads kept in order behind their session's
// writes, sessions and their expiry, container/TTL reaping. Time comes in as an argument; frames
// go out through ClientChannel; the txn log is behind TxnSink and reports back via `durable`.
// Counterpart: ZooKeeperServer.processConnectRequest / processPacket, PrepRequestProcessor →
// SyncRequestProcessor → CommitProcessor → FinalRequestProcessor, ContainerManager.
// An ensemble member's pipelines extend it: leader-requests.ts (prepare + propose) and
// learner-requests.ts (forward writes, apply the leader's commits); the protected methods below
// are the points where they differ.

import * as R from '../../protocol/records.js';
import { Code, KeeperError } from '../../protocol/errors.js';
import { encodeReplyFrame } from '../../protocol/frames.js';
import type { ConnectRequest, ConnectResponse } from '../../protocol/handshake.js';
import { JuteReader } from '../../protocol/jute/reader.js';
import { JuteDecodeError } from '../../protocol/jute/errors.js';
import { MultiResponse, type MultiOp, type MultiResult } from '../../protocol/multi.js';
import { OpCode, opSpec, Xid, type OpSpec } from '../../protocol/ops.js';
import { createModeInfo } from '../../protocol/types.js';
import { authenticate } from '../data/acl.js';
import { DataTree } from '../data/data-tree.js';
import { ephemeralKindOf, EphemeralKind, ttlOf } from '../data/ephemeral-type.js';
import { sessionPassword } from '../sessions/session-password.js';
import { SessionTracker } from '../sessions/session-tracker.js';
import { WatchManager } from '../watches/watch-manager.js';
import { TxnApplier, type ApplyResult } from './apply.js';
import type { ClientChannel } from './client-channel.js';
import { PendingChanges } from './pending-changes.js';
import { Preparer } from './prepare.js';
import { ReadProcessor } from './reads.js';
import { Fifo } from './fifo.js';
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

interface Outstanding {
  readonly txn: Txn;
  readonly done: (result: ApplyResult) => void;
}

const IN_MEMORY: TxnSink = { append: () => true };

const INVALID_PASSWD = Buffer.alloc(16);
const MULTI_WRITE_TYPES = new Set<number>([1, 15, 19, 21, 2, 5, 13]);
const MULTI_READ_TYPES = new Set<number>([4, 8]);

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
  private readonly outstanding = new Fifo<Outstanding>();
  /** The newest zxid the sink reported durable (txns up to it may be applied). */
  private durableZxid = 0n;
  lastProcessedZxid = 0n;
  /** The zxid of the last txn prepared (handed to the sink). */
  protected lastZxid = 0n;

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
    const txn = this.preparer.prepareCreateSession(id, timeoutMs, this.nextZxid(), BigInt(Math.trunc(nowMs)));
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
    const body = frame.subarray(r.position);
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
    let request: unknown;
    let decodeError = false;
    try {
      request = spec.request.decode(r);
      if (type === OpCode.multi || type === OpCode.multiRead) checkMultiKinds(type, request as MultiOp[]);
    } catch (e) {
      if (!(e instanceof JuteDecodeError) && !(e instanceof KeeperError)) throw e;
      decodeError = true;
    }
    if (spec.kind === 'write') {
      this.processWrite(channel, spec, xid, decodeError ? undefined : request, body, nowMs);
    } else if (decodeError) {
      this.inOrder(channel, () => this.reply(channel, spec, xid, this.lastProcessedZxid, Code.MARSHALLINGERROR));
    } else if (type === OpCode.sync) {
      this.processSync(channel, spec, xid, request, body);
    } else {
      this.inOrder(channel, () => this.processRead(channel, spec, xid, request));
    }
  }

  /** Activity on a session (every request, pings included) moves its expiry forward. */
  protected touch(sessionId: bigint, nowMs: number): void {
    this.sessions.touch(sessionId, nowMs);
  }

  /** closeSession from the client: a txn; `done` runs once it is applied. */
  protected closeSession(channel: ClientChannel, xid: number, nowMs: number, done: () => void): void {
    const txn = this.preparer.prepareCloseSession(channel.sessionId, xid, this.nextZxid(), BigInt(Math.trunc(nowMs)));
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
    // ZooKeeper lists ids added by auth packets before the connection's implicit ip id (whoAmI shows it).
    for (const id of ids) {
      if (channel.authIds.some((a) => a.scheme === id.scheme && a.id === id.id)) continue;
      const ipAt = channel.authIds.findIndex((a) => a.scheme === 'ip');
      channel.authIds.splice(ipAt < 0 ? channel.authIds.length : ipAt, 0, id);
    }
    this.reply(channel, spec, xid, 0n, 0);
  }

  /** A write: prepared here (request undefined when it did not decode), logged, applied, answered. `body` is the raw request. */
  protected processWrite(channel: ClientChannel, spec: OpSpec, xid: number, request: unknown, _body: Buffer, nowMs: number): void {
    const zxid = this.nextZxid();
    const time = BigInt(Math.trunc(nowMs));
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
    const zxid = this.lastProcessedZxid;
    if ('multi' in result) return this.reply(channel, spec, xid, zxid, 0, result.multi);
    if (result.err !== 0) return this.reply(channel, spec, xid, zxid, result.err);
    const ok = result as { path?: string; stat?: R.Stat };
    switch (spec.code) {
      case OpCode.create: return this.reply(channel, spec, xid, zxid, 0, { path: ok.path });
      case OpCode.create2: case OpCode.createContainer: case OpCode.createTTL:
        return this.reply(channel, spec, xid, zxid, 0, { path: ok.path, stat: ok.stat });
      case OpCode.setData: case OpCode.setACL:
        return this.reply(channel, spec, xid, zxid, 0, { stat: ok.stat });
      default:
        return this.reply(channel, spec, xid, zxid, 0);
    }
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
    const codec = spec.code === OpCode.multi || spec.code === OpCode.multiRead ? MultiResponse : spec.response;
    channel.send(err === 0 && body !== undefined ? encodeReplyFrame(xid, zxid, 0, codec, body) : encodeReplyFrame(xid, zxid, err));
    channel.recordReply?.(spec.lop, xid, zxid);
  }

  // ---- commit ----

  protected nextZxid(): bigint {
    return ++this.lastZxid;
  }

  /** Hands a txn to the log; `done` runs once it is durable and applied. */
  protected submit(txn: Txn, nowMs: number, done: (result: ApplyResult) => void): void {
    this.outstanding.push({ txn, done });
    if (this.sink.append(txn)) this.durable(txn.header.zxid, nowMs);
  }

  /** The log says every txn up to `zxid` is durable: apply them in order and answer, now. */
  durable(zxid: bigint, nowMs: number): void {
    this.markDurable(zxid);
    this.applyDurable(Infinity, nowMs);
  }

  /** The log says every txn up to `zxid` is durable; they are applied by `applyDurable`. */
  markDurable(zxid: bigint): void {
    if (zxid > this.durableZxid) this.durableZxid = zxid;
  }

  /**
   * Applies (and answers) at most `max` of the durable txns, in zxid order; returns whether
   * durable txns are still waiting. A driver calls it in slices to bound each turn of its event
   * loop: requests that arrive between slices see a prefix of the log applied, as they would
   * had the log synced in smaller batches, and each session's replies stay in order.
   */
  applyDurable(max: number, nowMs: number): boolean {
    let next = this.outstanding.peek();
    for (let applied = 0; applied < max && next !== undefined && next.txn.header.zxid <= this.durableZxid; applied++) {
      this.outstanding.shift();
      next.done(this.applyCommitted(next.txn, nowMs));
      next = this.outstanding.peek();
    }
    this.applied();
    return next !== undefined && next.txn.header.zxid <= this.durableZxid;
  }

  /** Called after each batch of txns is applied (ensemble pipelines release waiting syncs here). */
  protected applied(): void {}

  /** Txns handed to the log and not yet applied. */
  get pendingTxns(): number {
    return this.outstanding.length;
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
      const txn = this.preparer.prepareCloseSession(s.id, 0, this.nextZxid(), BigInt(Math.trunc(nowMs)));
      this.submit(txn, nowMs, () => channel?.close('session expired'));
    }
    return expired.map((s) => s.id);
  }

  /** Deletes empty used containers and expired TTL nodes, as ZooKeeper's ContainerManager; returns the paths whose delete was issued. */
  reapContainers(nowMs: number): string[] {
    const now = BigInt(Math.trunc(nowMs));
    const candidates: string[] = [];
    for (const path of this.tree.containers) {
      const node = this.tree.get(path)!;
      if (node.children.size > 0) continue;
      const neverUsedLimit = BigInt(this.options.containerMaxNeverUsedIntervalMs);
      if (node.cversion > 0 || (neverUsedLimit > 0n && now - node.mtime > neverUsedLimit)) candidates.push(path);
    }
    for (const path of this.tree.ttls) {
      const node = this.tree.get(path)!;
      if (node.children.size > 0 || ephemeralKindOf(node.ephemeralOwner) !== EphemeralKind.TTL) continue;
      const ttl = ttlOf(node.ephemeralOwner);
      if (ttl !== 0n && now - node.mtime > ttl) candidates.push(path);
    }
    const reaped: string[] = [];
    for (const path of candidates) {
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

/** multi carries writes only, multiRead reads only; a bad create flag fails the whole request. */
export function checkMultiKinds(type: number, ops: MultiOp[]): void {
  const allowed = type === OpCode.multi ? MULTI_WRITE_TYPES : MULTI_READ_TYPES;
  for (const op of ops) {
    if (!allowed.has(op.type)) throw new JuteDecodeError(`op ${op.type} not allowed in ${type === OpCode.multi ? 'multi' : 'multiRead'}`);
    if ((op.type === 1 || op.type === 15 || op.type === 19 || op.type === 21) && !createModeInfo(op.request.flags)) {
      throw new JuteDecodeError(`invalid create flags ${op.request.flags} in multi`);
    }
  }
}

export type { MultiResult };
