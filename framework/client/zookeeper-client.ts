// The public client: one session to a ZooKeeper ensemble (or zabkit's server) and a promise per
// operation. Paths are validated and chrooted here; server error codes become protocol's typed
// KeeperErrors; watches are registered on successful replies and their events delivered to
// Watcher callbacks or, for `watch: true`, to `watchEvents$`. Session state changes stream on
// `state$`. Counterpart: org.apache.zookeeper.ZooKeeper.

import { Observable, Subject } from 'rxjs';
import {
  AddWatchMode, ConnectionLossError, KeeperState, MultiRequest, MultiResponse,
  NoWatcherError, OpCode, opSpec, pathProblem, BadArgumentsError, type ACL, type ClientInfo, type Codec,
  type MultiResult, type Stat, type WatcherType,
} from '../../protocol/index.js';
import { Chroot } from './chroot.js';
import { parseConnectString } from './connect-string.js';
import { ClientClosedError, keeperError } from './errors.js';
import type { SessionStateEvent, Watcher, WatchedEvent } from './events.js';
import { HostProvider } from './host-provider.js';
import {
  createRequest, fromMultiResult, toBuffer, toMultiOp, type CreateOptions, type Data, type MultiError, type OpResult,
  type ReadOp, type WriteOp,
} from './multi-ops.js';
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from './options.js';
import { codecPacket } from './packet.js';
import { Session, type SessionPhase } from './session.js';
import { rearmPackets } from './set-watches.js';
import { removedEventType, WatchRegistry, type WatchKind } from './watch-registry.js';

/** `true` = the default watcher (events go to `watchEvents$`); a function = that watcher. */
export type WatchOption = boolean | Watcher;

export interface WatchOptions {
  watch?: WatchOption;
}

export interface RemoveWatchesOptions {
  /** Remove only this watcher's registrations (`true` = the default watcher). Default: all watchers. */
  watcher?: Watcher | true;
  /** Remove locally even when the server cannot be reached. Default false. */
  local?: boolean;
}

const CONFIG_NODE = '/zookeeper/config';

interface Reply<T> {
  err: number;
  body: T | undefined;
}

export class ZooKeeperClient {
  /** Session state changes: SyncConnected, ConnectedReadOnly, Disconnected, Expired, AuthFailed, Closed (last). */
  readonly state$: Observable<SessionStateEvent>;
  /** Events for watches set with `watch: true` (the default watcher). Completes on close. */
  readonly watchEvents$: Observable<WatchedEvent>;
  readonly chroot: string | undefined;
  private readonly options: ResolvedClientOptions;
  private readonly session: Session;
  private readonly registry = new WatchRegistry();
  private readonly root: Chroot;
  private readonly stateSubject = new Subject<SessionStateEvent>();
  private readonly eventSubject = new Subject<WatchedEvent>();
  private readonly defaultWatcher: Watcher = (e) => this.eventSubject.next(e);
  private lastState: SessionStateEvent | undefined;

  /** Opens a client and resolves once it is connected (rejects, and closes it, if it cannot be within `timeoutMs`). */
  static async connect(connectString: string, options: ClientOptions = {}, timeoutMs?: number): Promise<ZooKeeperClient> {
    const client = new ZooKeeperClient(connectString, options);
    try {
      await client.waitForConnected(timeoutMs ?? client.options.sessionTimeoutMs);
      return client;
    } catch (e) {
      await client.close();
      throw e;
    }
  }

  /** Starts connecting at once; see `waitForConnected` and `state$`. */
  constructor(connectString: string, options: ClientOptions = {}) {
    const parsed = parseConnectString(connectString);
    this.options = resolveClientOptions(options);
    this.chroot = parsed.chroot;
    this.root = new Chroot(parsed.chroot);
    this.state$ = new Observable<SessionStateEvent>((subscriber) => {
      if (this.lastState) subscriber.next(this.lastState);
      if (this.session.phase === 'closed') {
        subscriber.complete();
        return undefined;
      }
      const sub = this.stateSubject.subscribe(subscriber);
      return () => sub.unsubscribe();
    });
    this.watchEvents$ = this.eventSubject.asObservable();
    const o = this.options;
    this.session = new Session(
      {
        hosts: new HostProvider(parsed.hosts, o.random),
        sessionTimeoutMs: o.sessionTimeoutMs,
        connectTimeoutMs: o.connectTimeoutMs,
        canBeReadOnly: o.canBeReadOnly,
        maxBufferBytes: o.maxBufferBytes,
        reconnectDelayMs: o.reconnectDelayMs,
        spinDelayMs: o.spinDelayMs,
        closeTimeoutMs: o.closeTimeoutMs,
        clock: o.clock,
        random: o.random,
        sessionId: o.sessionId,
        sessionPassword: o.sessionPassword,
      },
      {
        onState: (event) => this.onState(event),
        onNotification: (raw) => this.deliver(raw.type, raw.state, this.root.toClient(raw.path), raw.zxid),
        rearmWatches: (zxid) => rearmPackets(this.registry, (p) => (p === CONFIG_NODE ? p : this.root.toServer(p)), zxid),
        onEnd: () => this.registry.clear(),
      },
    );
    for (const a of o.auth) void this.session.addAuth(a.scheme, a.auth).catch(() => undefined);
    this.session.start();
  }

  // ---- session facts ----

  get phase(): SessionPhase {
    return this.session.phase;
  }
  get isConnected(): boolean {
    return this.session.isConnected;
  }
  get sessionId(): bigint {
    return this.session.sessionId;
  }
  get sessionPassword(): Buffer {
    return this.session.password;
  }
  /** The timeout the server granted (0 before the first connection). */
  get negotiatedSessionTimeoutMs(): number {
    return this.session.negotiatedTimeoutMs;
  }
  /** The highest zxid seen in a reply; sent on reconnect so no server behind it is accepted. */
  get lastZxidSeen(): bigint {
    return this.session.lastZxidSeen;
  }
  /** "host:port" of the server of the current connection. */
  get connectedServer(): string | undefined {
    return this.session.server;
  }

  /** Resolves when connected (now or later); rejects on timeout or when the session ends first. */
  waitForConnected(timeoutMs = this.options.sessionTimeoutMs): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const clock = this.options.clock;
      const timer = clock.setTimeout(() => {
        sub.unsubscribe();
        reject(new ConnectionLossError(undefined, { cause: new Error(`not connected within ${timeoutMs} ms`) }));
      }, timeoutMs);
      const sub = this.stateSubject.subscribe((e) => {
        const fail =
          e.state === KeeperState.Expired ? keeperError(-112) :
          e.state === KeeperState.AuthFailed ? keeperError(-115) :
          e.state === KeeperState.Closed ? new ClientClosedError() : undefined;
        if (e.state === KeeperState.SyncConnected || e.state === KeeperState.ConnectedReadOnly || fail) {
          clock.clearTimeout(timer);
          sub.unsubscribe();
          if (fail) reject(fail);
          else resolve();
        }
      });
    });
  }

  /** Adds credentials for this session (replayed after every reconnect). */
  addAuth(scheme: string, auth: Buffer | string): Promise<void> {
    return this.session.addAuth(scheme, typeof auth === 'string' ? Buffer.from(auth, 'utf8') : auth);
  }

  /** Closes the session (its ephemerals are deleted at once) and releases every resource. */
  async close(): Promise<void> {
    await this.session.close();
    this.stateSubject.complete();
    this.eventSubject.complete();
  }

  // ---- operations ----

  async create(path: string, data: Data = null, options: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    const { type, request } = createRequest(path, data, options, this.root, false);
    const res = await this.call<{ path: string; stat: Stat }>(type, request, path);
    return { path: this.root.toClient(res.path), stat: res.stat };
  }

  async delete(path: string, version = -1): Promise<void> {
    this.checkPath(path);
    await this.send(OpCode.delete, { path: this.root.toServer(path), version }, path);
  }

  /** The node's Stat, or null when it does not exist (a watch is set either way). */
  async exists(path: string, options: WatchOptions = {}): Promise<Stat | null> {
    this.checkPath(path);
    const watcher = this.watcherFor(options.watch);
    const reply = await this.request<{ stat: Stat }>(OpCode.exists, { path: this.root.toServer(path), watch: watcher !== undefined }, (r) => {
      if (watcher && r.err === 0) this.registry.add('data', path, watcher);
      if (watcher && r.err === -101) this.registry.add('exist', path, watcher);
    });
    if (reply.err === -101) return null;
    return this.unwrap(reply, path).stat;
  }

  async getData(path: string, options: WatchOptions = {}): Promise<{ data: Buffer | null; stat: Stat }> {
    this.checkPath(path);
    return this.watchedRead(OpCode.getData, path, path, options.watch, 'data');
  }

  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    this.checkPath(path);
    const res = await this.call<{ stat: Stat }>(OpCode.setData, { path: this.root.toServer(path), data: toBuffer(data), version }, path);
    return res.stat;
  }

  async getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    this.checkPath(path);
    return this.call(OpCode.getACL, { path: this.root.toServer(path) }, path);
  }

  async setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    this.checkPath(path);
    const res = await this.call<{ stat: Stat }>(OpCode.setACL, { path: this.root.toServer(path), acl: [...acl], version }, path);
    return res.stat;
  }

  /** Child names (unordered) and the node's Stat. */
  async getChildren(path: string, options: WatchOptions = {}): Promise<{ children: string[]; stat: Stat }> {
    this.checkPath(path);
    return this.watchedRead(OpCode.getChildren2, path, path, options.watch, 'child');
  }

  /** Waits until the server this client is connected to has caught up with the leader. */
  async sync(path = '/'): Promise<string> {
    this.checkPath(path);
    const res = await this.call<{ path: string }>(OpCode.sync, { path: this.root.toServer(path) }, path);
    return this.root.toClient(res.path);
  }

  /** The cluster config (/zookeeper/config, never chrooted) and its Stat. */
  async getConfig(options: WatchOptions = {}): Promise<{ data: Buffer | null; stat: Stat }> {
    return this.watchedRead(OpCode.getData, CONFIG_NODE, CONFIG_NODE, options.watch, 'data', true);
  }

  /** Ephemerals owned by this session whose path starts with `prefix` (chroot applied, unlike the Java client). */
  async getEphemerals(prefix = '/'): Promise<string[]> {
    const serverPrefix = this.root.prefix === undefined ? prefix : prefix === '/' ? `${this.root.prefix}/` : this.root.prefix + prefix;
    const res = await this.call<{ ephemerals: string[] }>(OpCode.getEphemerals, { prefixPath: serverPrefix }, prefix);
    return res.ephemerals.map((p) => this.root.toClient(p));
  }

  /** The number of all descendants of `path` (not counting itself). */
  async getAllChildrenNumber(path: string): Promise<number> {
    this.checkPath(path);
    const res = await this.call<{ totalNumber: number }>(OpCode.getAllChildrenNumber, { path: this.root.toServer(path) }, path);
    return res.totalNumber;
  }

  /** The identities the server associates with this connection (auth ids and the implicit ip id). */
  async whoAmI(): Promise<ClientInfo[]> {
    const res = await this.call<{ clientInfo: ClientInfo[] }>(OpCode.whoAmI, undefined, undefined);
    return res.clientInfo;
  }

  /**
   * Applies all ops atomically. On failure rejects with the failing op's KeeperError, whose
   * `results` (see isMultiError) hold one result per op.
   */
  async multi(ops: readonly WriteOp[]): Promise<OpResult[]> {
    if (ops.some((o: { op: string }) => o.op === 'getData' || o.op === 'getChildren')) throw new TypeError('multi takes write ops only; use multiRead for reads');
    const results = await this.multiCall(OpCode.multi, ops);
    const failed = results.find((r) => r.op === 'error' && r.code !== 0 && r.code !== -2);
    if (failed && failed.op === 'error' && failed.error) throw Object.assign(failed.error, { results }) as MultiError;
    return results;
  }

  /** Runs reads as one request; each result is independent (failures are `error` results). */
  async multiRead(ops: readonly ReadOp[]): Promise<OpResult[]> {
    if (ops.some((o: { op: string }) => o.op !== 'getData' && o.op !== 'getChildren')) throw new TypeError('multiRead takes getData / getChildren ops only');
    return this.multiCall(OpCode.multiRead, ops);
  }

  /** A persistent (or persistent-recursive) watch: it stays until removeWatches. */
  async addWatch(path: string, mode: AddWatchMode, watcher: Watcher | true = true): Promise<void> {
    this.checkPath(path);
    const w = watcher === true ? this.defaultWatcher : watcher;
    const kind: WatchKind = mode === AddWatchMode.PERSISTENT_RECURSIVE ? 'persistentRecursive' : 'persistent';
    const reply = await this.request(OpCode.addWatch, { path: this.root.toServer(path), mode }, (r) => {
      if (r.err === 0) this.registry.add(kind, path, w);
    });
    this.unwrap(reply, path);
  }

  /**
   * Removes watches of `type` on `path` (all of them, or one watcher's) from the server and the
   * client; each removed watcher receives a *WatchRemoved event. NoWatcherError if none match.
   */
  async removeWatches(path: string, type: WatcherType, options: RemoveWatchesOptions = {}): Promise<void> {
    this.checkPath(path);
    const watcher = options.watcher === true ? this.defaultWatcher : options.watcher;
    const removed = this.registry.matching(path, type, watcher);
    if (removed.length === 0) throw new NoWatcherError(path);
    const othersRemain = this.registry.matching(path, type).length > removed.length;
    const op = othersRemain ? OpCode.checkWatches : OpCode.removeWatches;
    try {
      await this.call(op, { path: this.root.toServer(path), type }, path);
    } catch (e) {
      const unreachable = e instanceof ConnectionLossError || (e as { code?: number }).code === -4;
      if (!(options.local && unreachable)) throw e;
    }
    this.registry.remove(path, removed);
    for (const r of removed) {
      this.safeCall(r.watcher, { type: removedEventType(r.kind), state: KeeperState.SyncConnected, path, zxid: undefined });
    }
  }

  // ---- internals ----

  private async watchedRead<T>(opCode: number, path: string, clientPath: string, watch: WatchOption | undefined, kind: WatchKind, raw = false): Promise<T> {
    const watcher = this.watcherFor(watch);
    const serverPath = raw ? path : this.root.toServer(path);
    const reply = await this.request<T>(opCode, { path: serverPath, watch: watcher !== undefined }, (r) => {
      if (watcher && r.err === 0) this.registry.add(kind, clientPath, watcher);
    });
    return this.unwrap(reply, clientPath);
  }

  private async multiCall(opCode: number, ops: readonly (WriteOp | ReadOp)[]): Promise<OpResult[]> {
    if (ops.length === 0) return [];
    const wire = ops.map((o) => toMultiOp(o, this.root));
    const results = await this.call<MultiResult[]>(opCode, wire, undefined, MultiRequest, MultiResponse);
    return results.map((r, i) => fromMultiResult(r, ops[i], this.root));
  }

  private watcherFor(watch: WatchOption | undefined): Watcher | undefined {
    if (watch === true) return this.defaultWatcher;
    return typeof watch === 'function' ? watch : undefined;
  }

  private checkPath(path: string): void {
    const problem = pathProblem(path);
    if (problem !== undefined) throw new BadArgumentsError(path, { cause: new Error(`invalid path "${path}": ${problem}`) });
  }

  private async call<T>(opCode: number, body: unknown, path: string | undefined, req?: Codec<any>, res?: Codec<any>): Promise<T> {
    return this.unwrap(await this.request<T>(opCode, body, undefined, req, res), path);
  }

  private async send(opCode: number, body: unknown, path: string | undefined): Promise<void> {
    this.unwrap(await this.request(opCode, body), path);
  }

  private unwrap<T>(reply: Reply<T>, path: string | undefined): T {
    if (reply.err !== 0) throw keeperError(reply.err, path);
    return reply.body as T;
  }

  /** Sends one request; `onReply` runs synchronously on arrival, before any later notification. */
  private request<T>(opCode: number, body: unknown, onReply?: (r: Reply<T>) => void, req?: Codec<any>, res?: Codec<any>): Promise<Reply<T>> {
    const spec = opSpec(opCode);
    return new Promise<Reply<T>>((resolve, reject) => {
      this.session.submit(codecPacket<unknown, T>(opCode, req ?? spec?.request, body, res ?? spec?.response, {
        onReply: (err, _zxid, decoded) => {
          const reply = { err, body: decoded };
          onReply?.(reply);
          resolve(reply);
        },
        onFail: reject,
      }));
    });
  }

  private onState(event: SessionStateEvent): void {
    this.lastState = event;
    this.stateSubject.next(event);
  }

  private deliver(type: number, state: number, path: string, zxid: bigint): void {
    const event: WatchedEvent = { type: type as WatchedEvent['type'], state: state as KeeperState, path, zxid };
    for (const w of this.registry.materialize(type, path)) this.safeCall(w, event);
  }

  private safeCall(watcher: Watcher, event: WatchedEvent): void {
    try {
      watcher(event);
    } catch (e) {
      this.options.onWatcherError(e, watcher);
    }
  }

  toString(): string {
    return `ZooKeeperClient(session 0x${BigInt.asUintN(64, this.sessionId).toString(16)}, ${this.session.phase}${this.connectedServer ? ` to ${this.connectedServer}` : ''})`;
  }
}

