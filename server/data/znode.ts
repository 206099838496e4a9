// One znode as the server stores it: data, ACL and the persisted Stat fields (stored cversion,
// raw ephemeralOwner), plus its child names. `statOf` derives what clients are shown. Leaves share
// one empty child set (most znodes are leaves, and an empty Set costs ~200 bytes each).
// Counterpart: org.apache.zookeeper.server.DataNode + StatPersisted, DataNode.copyStat.

import type { ACL, Stat } from '../../protocol/records.js';
import { EphemeralKind, ephemeralKindOf } from './ephemeral-type.js';

export interface Znode {
  data: Buffer | null;
  acl: readonly ACL[];
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  /** Stored cversion: the number of child creations ever made under this node. */
  cversion: number;
  aversion: number;
  /** Raw owner: a session id, or the container / TTL markers (see ephemeral-type.ts). */
  ephemeralOwner: bigint;
  pzxid: bigint;
  /** Child names; NO_CHILDREN until the first child arrives. Changed only through addChild/removeChild. */
  children: ReadonlySet<string>;
}

/** The child set of every leaf. */
export const NO_CHILDREN: ReadonlySet<string> = new Set<string>();

export function addChild(node: Znode, name: string): void {
  if (node.children === NO_CHILDREN) node.children = new Set([name]);
  else (node.children as Set<string>).add(name);
}

/** Removes a child name; a node left without children goes back to NO_CHILDREN. */
export function removeChild(node: Znode, name: string): void {
  if (node.children.size <= 1) {
    if (node.children.has(name)) node.children = NO_CHILDREN;
  } else {
    (node.children as Set<string>).delete(name);
  }
}

export function newZnode(
  data: Buffer | null, acl: readonly ACL[], ephemeralOwner: bigint, zxid: bigint, time: bigint,
): Znode {
  return {
    data, acl,
    czxid: zxid, mzxid: zxid, ctime: time, mtime: time,
    version: 0, cversion: 0, aversion: 0,
    ephemeralOwner, pzxid: zxid,
    children: NO_CHILDREN,
  };
}

/** A built-in node (/, /zookeeper, ...): all-zero stat, empty (not null) data. */
export function builtinZnode(acl: readonly ACL[]): Znode {
  return newZnode(Buffer.alloc(0), acl, 0n, 0n, 0n);
}

/**
 * The Stat a client sees: reported cversion is creates + deletes; containers and TTL nodes report
 * owner 0 (DataTree.getClientEphemeralOwner). Which owners are TTL markers depends on
 * extendedTypesEnabled: with it off, an owner with the high byte 0xFF is a session and is shown.
 */
export function statOf(node: Znode, extendedTypesEnabled: boolean): Stat {
  const numChildren = node.children.size;
  const kind = ephemeralKindOf(node.ephemeralOwner, extendedTypesEnabled);
  return {
    czxid: node.czxid,
    mzxid: node.mzxid,
    ctime: node.ctime,
    mtime: node.mtime,
    version: node.version,
    cversion: (node.cversion * 2 - numChildren) | 0,
    aversion: node.aversion,
    ephemeralOwner: kind === EphemeralKind.NORMAL ? node.ephemeralOwner : 0n,
    dataLength: node.data === null ? 0 : node.data.length,
    numChildren,
    pzxid: node.pzxid,
  };
}
