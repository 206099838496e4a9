// GroupMember: membership of a group, as Curator's. This member is an EPHEMERAL node
// "<membershipPath>/<thisId>" holding its payload, kept by a PersistentNode (so it comes back
// after a deletion or a new session); the group is a PathChildrenCache of membershipPath. The
// members are the children's ids with their data, and this member is always among them (with
// its own payload) even before the cache has seen its node. Ids must be unique in the group.
// Counterpart: org.apache.curator.framework.recipes.nodes.GroupMember.

import { BehaviorSubject, filter, Observable, type Subscription } from 'rxjs';
import { CreateMode, type ZooKeeperFramework } from '../../framework/index.js';
import { PathChildrenCache, type ChildData } from '../../framework/cache/index.js';
import { childName, makePath, validatePath } from '../internal/index.js';
import { toBytes, type NodeBytes } from './node-bytes.js';
import { PersistentNode } from './persistent-node.js';

export interface GroupMemberOptions {
  /** This member's data. Default: empty (Curator uses the host address). */
  readonly payload?: NodeBytes;
  /** Receives failures of the member node and the cache that they cannot recover from by themselves. Default: process.emitWarning. */
  readonly onError?: (error: unknown) => void;
}

/** Member id → its payload (empty for a node without data). */
export type GroupMembers = ReadonlyMap<string, Buffer>;

type Lifecycle = 'latent' | 'started' | 'closed';

export class GroupMember {
  readonly membershipPath: string;
  readonly thisId: string;
  private readonly node: PersistentNode;
  private readonly cache: PathChildrenCache;
  private readonly latest = new BehaviorSubject<GroupMembers | undefined>(undefined);
  private cacheSubscription: Subscription | undefined;
  private lifecycle: Lifecycle = 'latent';

  constructor(
    private readonly framework: ZooKeeperFramework,
    membershipPath: string,
    thisId: string,
    options: GroupMemberOptions = {},
  ) {
    this.membershipPath = validatePath(membershipPath);
    if (typeof thisId !== 'string' || thisId === '' || thisId.includes('/')) {
      throw new RangeError(`a member id is one non-empty node name, got ${JSON.stringify(thisId)}`);
    }
    this.thisId = thisId;
    const memberPath = validatePath(makePath(this.membershipPath, thisId));
    const onError = options.onError ?? ((e: unknown) => process.emitWarning(`zabkit GroupMember ${memberPath}: ${String(e)}`));
    this.node = new PersistentNode(framework, memberPath, { mode: CreateMode.EPHEMERAL, data: toBytes(options.payload), onError });
    this.cache = new PathChildrenCache(framework, this.membershipPath, { onError: (e) => onError(e) });
  }

  /** Joins the group (this member's node is created in the background) and starts following the members. */
  start(): void {
    if (this.lifecycle !== 'latent') throw new Error(`GroupMember ${this.thisId} of ${this.membershipPath} cannot be started: it is ${this.lifecycle}`);
    this.lifecycle = 'started';
    this.node.start();
    this.cacheSubscription = this.cache.children$.subscribe((children) => this.latest.next(this.membersOf(children)));
  }

  /** See PersistentNode.waitForInitialCreate: true once this member's node exists. */
  waitForInitialCreate(timeoutMs: number): Promise<boolean> {
    return this.node.waitForInitialCreate(timeoutMs);
  }

  /** Changes this member's payload (kept across re-creation of its node). */
  setThisData(data: NodeBytes): Promise<void> {
    return this.node.setData(data);
  }

  /** The members as last seen (this member always included). Before the cache has loaded: this member only. */
  currentMembers(): GroupMembers {
    return this.latest.value ?? this.membersOf(this.cache.currentData());
  }

  /**
   * The members after the first load and after every change (the current ones first for a late
   * subscriber). Completes on close.
   */
  get members$(): Observable<GroupMembers> {
    return this.latest.pipe(filter((m): m is GroupMembers => m !== undefined));
  }

  /** The member id of a member node's path. */
  idFromPath(path: string): string {
    return childName(path);
  }

  /** Leaves the group: stops the cache and deletes this member's node. */
  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    const wasStarted = this.lifecycle === 'started';
    this.lifecycle = 'closed';
    if (!wasStarted) return;
    this.cacheSubscription?.unsubscribe();
    this.latest.complete();
    await Promise.all([this.cache.whenStopped(), this.node.close()]);
  }

  toString(): string {
    return `GroupMember(${this.thisId} of ${this.membershipPath}, ${this.lifecycle})`;
  }

  private membersOf(children: readonly ChildData[]): GroupMembers {
    const members = new Map<string, Buffer>();
    for (const child of children) members.set(this.idFromPath(child.path), child.data ?? Buffer.alloc(0));
    if (!members.has(this.thisId)) members.set(this.thisId, this.node.data);
    return members;
  }
}
