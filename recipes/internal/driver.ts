// The per-recipe part of the contender algorithm: how a contender's node is created, how the
// children are ranked, and whether a contender holds the lock or else which node it must watch.
// The standard driver is "am I within maxLeases of the front? else watch the node maxLeases
// ahead of me" — maxLeases 1 gives a mutex and leader election. Other drivers (the read-write
// lock's read side) override the decision. Counterpart: LockInternalsDriver, PredicateResults,
// StandardLockInternalsDriver.

import { CreateMode, NoNodeError, type ZooKeeperFramework } from '../../framework/index.js';
import { standardFixForSorting, type LockInternalsSorter } from './sorting.js';

/** The verdict for one contender: it holds the lock, or it must wait for `pathToWatch` (a child name) to change. */
export type PredicateResults = { readonly getsTheLock: true } | { readonly getsTheLock: false; readonly pathToWatch: string };

export interface LockInternalsDriver extends LockInternalsSorter {
  /**
   * Decides for the contender `sequenceNodeName` among the sorted `children`. Throws NoNodeError
   * when the contender's own node is not among them (session lost, node deleted): the caller
   * then starts over with a new node.
   */
  getsTheLock(children: readonly string[], sequenceNodeName: string, maxLeases: number): PredicateResults;
  /** Creates the contender's node and resolves to its path (namespace-free, as the framework returns it). */
  createsTheLock(framework: ZooKeeperFramework, path: string, nodeData: Buffer | undefined): Promise<string>;
}

export class StandardLockInternalsDriver implements LockInternalsDriver {
  getsTheLock(children: readonly string[], sequenceNodeName: string, maxLeases: number): PredicateResults {
    const ourIndex = children.indexOf(sequenceNodeName);
    validateOurIndex(sequenceNodeName, ourIndex);
    if (ourIndex < maxLeases) return { getsTheLock: true };
    return { getsTheLock: false, pathToWatch: children[ourIndex - maxLeases]! };
  }

  /**
   * A fixed sort key to create the node with instead of a server sequence (the node is then
   * EPHEMERAL, named `path + key`). Undefined (the default): EPHEMERAL_SEQUENTIAL.
   */
  protected sortingSequence(): string | undefined {
    return undefined;
  }

  /** A protected node (found again after a connection loss mid-create) under container parents created on demand. */
  createsTheLock(framework: ZooKeeperFramework, path: string, nodeData: Buffer | undefined): Promise<string> {
    const sequence = this.sortingSequence();
    return framework.create(sequence === undefined ? path : path + sequence, nodeData, {
      mode: sequence === undefined ? CreateMode.EPHEMERAL_SEQUENTIAL : CreateMode.EPHEMERAL,
      withProtection: true,
      creatingParentContainersIfNeeded: true,
    });
  }

  fixForSorting(name: string, lockName: string): string {
    return standardFixForSorting(name, lockName);
  }
}

/** Throws NoNodeError when the contender's node is not among the children (index -1). */
export function validateOurIndex(sequenceNodeName: string, ourIndex: number): void {
  if (ourIndex < 0) throw new NoNodeError(sequenceNodeName, { cause: new Error(`sequential node not found: ${sequenceNodeName}`) });
}
