// Which nodes the periodic container/TTL check deletes: a container with no children that has had
// a child (cversion > 0), or that never had one for longer than containerMaxNeverUsedIntervalMs
// (when set); a TTL node with no children whose last change (mtime) is older than its TTL. Pure:
// the caller issues a deleteContainer txn for each path, which re-checks the node when prepared.
// Counterpart: org.apache.zookeeper.server.ContainerManager.getCandidates.

import type { DataTree } from '../data/data-tree.js';
import { EphemeralKind, ephemeralKindOf, ttlOf } from '../data/ephemeral-type.js';

export interface ReapPolicy {
  /** znode.container.maxNeverUsedIntervalMs: 0 leaves never-used containers alone. */
  readonly containerMaxNeverUsedIntervalMs: number;
  readonly extendedTypesEnabled: boolean;
}

/** The paths to delete at `nowMs`: containers first, then TTL nodes, each in the tree's order. */
export function reapCandidates(tree: DataTree, nowMs: bigint, policy: ReapPolicy): string[] {
  const candidates: string[] = [];
  const neverUsedLimit = BigInt(policy.containerMaxNeverUsedIntervalMs);
  for (const path of tree.containers) {
    const node = tree.get(path)!;
    if (node.children.size > 0) continue;
    if (node.cversion > 0 || (neverUsedLimit > 0n && nowMs - node.mtime > neverUsedLimit)) candidates.push(path);
  }
  for (const path of tree.ttls) {
    const node = tree.get(path)!;
    if (node.children.size > 0 || ephemeralKindOf(node.ephemeralOwner, policy.extendedTypesEnabled) !== EphemeralKind.TTL) continue;
    const ttl = ttlOf(node.ephemeralOwner);
    if (ttl !== 0n && nowMs - node.mtime > ttl) candidates.push(path);
  }
  return candidates;
}
