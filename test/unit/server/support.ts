// Test harness for the server's pure request pipeline: a fake ClientChannel that records the
// frames it is sent (decoded with the protocol/ codecs), a fake clock, and a small client API
// that drives RequestProcessor.process one request at a time.

import type { ACL, Id, ReplyHeader, Stat } from '../../../protocol/records.js';
import * as R from '../../../protocol/records.js';
import { encodeNotificationFrame, encodeRequestFrame } from '../../../protocol/frames.js';
import { JuteReader } from '../../../protocol/jute/reader.js';
import type { Codec } from '../../../protocol/jute/schema.js';
import { MultiRequest, MultiResponse, type MultiOp, type MultiResult } from '../../../protocol/multi.js';
import { OpCode, opSpec } from '../../../protocol/ops.js';
import { OPEN_ACL_UNSAFE, Perms } from '../../../protocol/types.js';
import type { ConnectRequest, ConnectResponse } from '../../../protocol/handshake.js';
import { digestId, hasPermission } from '../../../server/data/acl.js';
import type { ClientChannel } from '../../../server/requests/client-channel.js';
import { RequestProcessor, type ConnectOutcome, type ProcessorOptions } from '../../../server/requests/request-processor.js';
import type { Txn } from '../../../server/requests/txn.js';

export interface Event {
  type: number;
  state: number;
  path: string;
  /** ReplyHeader.zxid of the notification frame. */
  zxid: bigint;
}

export type Frame =
  | { kind: 'event'; header: ReplyHeader; event: Event }
  | { kind: 'reply'; header: ReplyHeader; body: Buffer };

/** Splits one length-prefixed server frame into its header and the rest. */
export function decodeFrame(frame: Buffer): Frame {
  const len = frame.readInt32BE(0);
  if (len !== frame.length - 4) throw new Error(`frame length prefix ${len} but ${frame.length - 4} payload bytes`);
  const r = new JuteReader(frame, 4);
  const header = R.ReplyHeader.decode(r);
  if (header.xid === -1) {
    const e = R.WatcherEvent.decode(r);
    if (r.remaining !== 0) throw new Error('trailing bytes after WatcherEvent');
    return { kind: 'event', header, event: { ...e, zxid: header.zxid } };
  }
  return { kind: 'reply', header, body: frame.subarray(4 + 16) };
}

/** A ClientChannel that keeps what it is sent; like ClientConnection it drops frames once closed. */
export class FakeChannel implements ClientChannel {
  sessionId = 0n;
  readonly authIds: Id[];
  readonly frames: Buffer[] = [];
  closedReason: string | undefined;
  readonly replies: { lop: string; xid: number; zxid: bigint }[] = [];

  constructor(readonly remoteIp = '127.0.0.1') {
    this.authIds = [{ scheme: 'ip', id: remoteIp }];
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  send(frame: Buffer): void {
    if (this.closed) return;
    this.frames.push(Buffer.from(frame));
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closedReason = reason;
  }

  notify(type: number, path: string, zxid: bigint): void {
    this.send(encodeNotificationFrame(type, path, zxid));
  }

  canRead(acl: readonly ACL[]): boolean {
    return hasPermission(acl, Perms.READ, this.authIds);
  }

  recordReply(lop: string, xid: number, zxid: bigint): void {
    this.replies.push({ lop, xid, zxid });
  }

  /** Frames received from index `from` on, decoded. */
  decoded(from = 0): Frame[] {
    return this.frames.slice(from).map(decodeFrame);
  }

  /** Removes and returns the notifications received so far (replies are left alone). */
  private eventCursor = 0;
  takeEvents(): Event[] {
    const out: Event[] = [];
    for (const f of this.decoded(this.eventCursor)) if (f.kind === 'event') out.push(f.event);
    this.eventCursor = this.frames.length;
    return out;
  }
}

export const TICK = 2000;

export function options(overrides: Partial<ProcessorOptions> = {}): ProcessorOptions {
  return {
    tickTimeMs: TICK,
    minSessionTimeoutMs: 2 * TICK,
    maxSessionTimeoutMs: 20 * TICK,
    extendedTypesEnabled: false,
    reconfigEnabled: false,
    superDigest: undefined,
    containerMaxNeverUsedIntervalMs: 0,
    serverId: 1,
    ...overrides,
  };
}

/** The result of one request: the reply header, its decoded body (err 0 only), and what came before it. */
export interface Reply<T = any> {
  xid: number;
  zxid: bigint;
  err: number;
  body: T | undefined;
  /** Raw bytes after the ReplyHeader. */
  rawBody: Buffer;
  /** Notifications this connection received while the request was processed (all precede the reply). */
  events: Event[];
  /** Every frame sent to this connection during the request, in order. */
  frames: Frame[];
}

/** A processor with a fake clock; `connect` gives clients bound to new sessions. */
export class Harness {
  now = 1_000_000;
  readonly proc: RequestProcessor;
  readonly persisted: Txn[] = [];

  constructor(overrides: Partial<ProcessorOptions> = {}) {
    this.proc = new RequestProcessor(options(overrides), this.now, { append: (t) => (this.persisted.push(t), true) });
  }

  advance(ms: number): void {
    this.now += ms;
  }

  connect(opts: { timeOut?: number; remoteIp?: string } = {}): Client {
    const channel = new FakeChannel(opts.remoteIp);
    const outcome = connectNow(this.proc, channel, {
      protocolVersion: 0, lastZxidSeen: 0n, timeOut: opts.timeOut ?? 3 * TICK, sessionId: 0n,
      passwd: Buffer.alloc(16), readOnly: false,
    }, this.now);
    if (outcome === 'close' || !outcome.valid) throw new Error('harness: connect failed');
    return new Client(this, channel, outcome.response);
  }

  get lastZxid(): bigint {
    return this.proc.lastProcessedZxid;
  }
}

export interface CreateOpts {
  data?: Buffer | null;
  acl?: readonly ACL[];
  flags?: number;
  ttl?: bigint;
}

export class Client {
  private xid = 0;

  constructor(
    readonly h: Harness,
    readonly channel: FakeChannel,
    readonly connectResponse: ConnectResponse,
  ) {}

  get sessionId(): bigint {
    return this.channel.sessionId;
  }

  /** Sends a raw request payload (no length prefix) and returns what came back. */
  raw(payload: Buffer): { frames: Frame[] } {
    const from = this.channel.frames.length;
    this.h.proc.process(this.channel, payload, this.h.now);
    return { frames: this.channel.decoded(from) };
  }

  /** Sends one request of `type`, encoded with the op table's codec (or `codec`), and decodes the reply. */
  call<T = any>(type: number, body?: unknown, opts: { xid?: number; codec?: Codec<any>; response?: Codec<any> } = {}): Reply<T> {
    const spec = opSpec(type);
    const codec = opts.codec ?? spec?.request;
    const xid = opts.xid ?? ++this.xid;
    const frame = encodeRequestFrame(xid, type, body === undefined ? undefined : codec, body);
    const { frames } = this.raw(frame.subarray(4));
    const replies = frames.filter((f): f is Extract<Frame, { kind: 'reply' }> => f.kind === 'reply');
    if (replies.length !== 1) throw new Error(`expected exactly one reply, got ${replies.length}`);
    const reply = replies[0]!;
    const lastIndex = frames.indexOf(reply);
    if (lastIndex !== frames.length - 1) throw new Error('a frame followed the reply');
    const events = frames.filter((f): f is Extract<Frame, { kind: 'event' }> => f.kind === 'event').map((f) => f.event);
    const responseCodec = opts.response ?? (type === OpCode.multi || type === OpCode.multiRead ? MultiResponse : spec?.response);
    let decoded: T | undefined;
    if (reply.header.err === 0 && reply.body.length > 0 && responseCodec) {
      const r = new JuteReader(reply.body);
      decoded = responseCodec.decode(r) as T;
      if (r.remaining !== 0) throw new Error(`${r.remaining} trailing bytes in reply to op ${type}`);
    }
    // Mark these events as seen so takeEvents() only returns later ones.
    this.channel.takeEvents();
    return {
      xid: reply.header.xid, zxid: reply.header.zxid, err: reply.header.err,
      body: decoded, rawBody: reply.body, events, frames,
    };
  }

  // ---- convenience wrappers ----

  create(path: string, o: CreateOpts = {}): Reply<{ path: string }> {
    return this.call(OpCode.create, {
      path, data: o.data === undefined ? Buffer.from('d') : o.data, acl: o.acl ?? OPEN_ACL_UNSAFE, flags: o.flags ?? 0,
    });
  }

  create2(path: string, o: CreateOpts = {}): Reply<{ path: string; stat: Stat }> {
    return this.call(OpCode.create2, {
      path, data: o.data === undefined ? Buffer.from('d') : o.data, acl: o.acl ?? OPEN_ACL_UNSAFE, flags: o.flags ?? 0,
    });
  }

  createTTL(path: string, ttl: bigint, o: CreateOpts = {}): Reply<{ path: string; stat: Stat }> {
    return this.call(OpCode.createTTL, {
      path, data: o.data === undefined ? Buffer.from('d') : o.data, acl: o.acl ?? OPEN_ACL_UNSAFE, flags: o.flags ?? 5, ttl,
    });
  }

  createContainer(path: string, o: CreateOpts = {}): Reply<{ path: string; stat: Stat }> {
    return this.call(OpCode.createContainer, {
      path, data: o.data === undefined ? Buffer.from('d') : o.data, acl: o.acl ?? OPEN_ACL_UNSAFE, flags: 4,
    });
  }

  delete(path: string, version = -1): Reply {
    return this.call(OpCode.delete, { path, version });
  }

  setData(path: string, data: Buffer | null, version = -1): Reply<{ stat: Stat }> {
    return this.call(OpCode.setData, { path, data, version });
  }

  setACL(path: string, acl: readonly ACL[], version = -1): Reply<{ stat: Stat }> {
    return this.call(OpCode.setACL, { path, acl, version });
  }

  getACL(path: string): Reply<{ acl: ACL[]; stat: Stat }> {
    return this.call(OpCode.getACL, { path });
  }

  exists(path: string, watch = false): Reply<{ stat: Stat }> {
    return this.call(OpCode.exists, { path, watch });
  }

  getData(path: string, watch = false): Reply<{ data: Buffer | null; stat: Stat }> {
    return this.call(OpCode.getData, { path, watch });
  }

  getChildren(path: string, watch = false): Reply<{ children: string[] }> {
    return this.call(OpCode.getChildren, { path, watch });
  }

  getChildren2(path: string, watch = false): Reply<{ children: string[]; stat: Stat }> {
    return this.call(OpCode.getChildren2, { path, watch });
  }

  addWatch(path: string, mode: number): Reply<{ err: number }> {
    return this.call(OpCode.addWatch, { path, mode });
  }

  checkWatches(path: string, type: number): Reply {
    return this.call(OpCode.checkWatches, { path, type });
  }

  removeWatches(path: string, type: number): Reply {
    return this.call(OpCode.removeWatches, { path, type });
  }

  multi(ops: MultiOp[]): Reply<MultiResult[]> {
    return this.call(OpCode.multi, ops, { codec: MultiRequest });
  }

  multiRead(ops: MultiOp[]): Reply<MultiResult[]> {
    return this.call(OpCode.multiRead, ops, { codec: MultiRequest });
  }

  auth(scheme: string, auth: string): Reply {
    return this.call(OpCode.auth, { type: 0, scheme, auth: Buffer.from(auth, 'utf8') }, { xid: -4 });
  }

  /** Stat of a node, or undefined (no watch, no ACL concerns: reads the tree directly). */
  stat(path: string): Stat | undefined {
    return this.h.proc.tree.stat(path);
  }

  takeEvents(): Event[] {
    return this.channel.takeEvents();
  }
}

/** A digest ACL entry for "user:password". */
export function digestAcl(perms: number, userPassword: string): ACL {
  return { perms, id: { scheme: 'digest', id: digestId(userPassword) } };
}

/** Runs a handshake that the processor answers synchronously (the in-memory sink) and returns its outcome. */
export function connectNow(proc: RequestProcessor, channel: ClientChannel, req: ConnectRequest, nowMs: number): ConnectOutcome {
  let outcome: ConnectOutcome | undefined;
  proc.connect(channel, req, nowMs, (o) => (outcome = o));
  if (outcome === undefined) throw new Error('connect was not answered synchronously');
  return outcome;
}
