// Protected names, laid out exactly as Curator's so Java and TypeScript clients recognise each
// other's nodes: "_c_" + a random UUID + "-" + the node name (the server appends the sequence
// number of sequential nodes after that). After a connection loss the create is retried, and a
// retry first looks among the parent's children for one starting with the prefix: if the lost
// create had in fact succeeded, that node is returned instead of creating a second one.
// Counterpart: ProtectedUtils, ProtectedMode and CreateBuilderImpl.findProtectedNodeInForeground.

import { randomUUID } from 'node:crypto';
import { NoNodeError } from '../../protocol/index.js';
import { childNameOf, joinPath, parentOf } from '../../protocol/index.js';
import type { ZooKeeperClient } from '../client/zookeeper-client.js';
import type { FrameworkCore } from '../core/framework-core.js';
import { policyAllowsRetryOn } from '../retry/retry-policy.js';

export const PROTECTED_PREFIX = '_c_';
export const PROTECTED_SEPARATOR = '-';
/** "_c_" + 36 UUID characters + "-". */
export const PROTECTED_PREFIX_WITH_UUID_LENGTH = PROTECTED_PREFIX.length + 36 + 1;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "_c_<id>-". */
export function protectedPrefix(protectedId: string): string {
  return PROTECTED_PREFIX + protectedId + PROTECTED_SEPARATOR;
}

/** Whether a node name carries a protection prefix. */
export function isProtectedName(name: string): boolean {
  return (
    name.length > PROTECTED_PREFIX_WITH_UUID_LENGTH &&
    name.startsWith(PROTECTED_PREFIX) &&
    name[PROTECTED_PREFIX_WITH_UUID_LENGTH - 1] === PROTECTED_SEPARATOR &&
    UUID_PATTERN.test(name.slice(PROTECTED_PREFIX.length, PROTECTED_PREFIX_WITH_UUID_LENGTH - 1))
  );
}

/** The name without its protection prefix (unchanged if it has none). */
export function normalizeProtectedName(name: string): string {
  return isProtectedName(name) ? name.slice(PROTECTED_PREFIX_WITH_UUID_LENGTH) : name;
}

/** The path with its last component's protection prefix removed. */
export function normalizeProtectedPath(path: string): string {
  const name = childNameOf(path);
  return isProtectedName(name) ? joinPath(parentOf(path), normalizeProtectedName(name)) : path;
}

/** The protected id (UUID) in a node name, if it has one. */
export function protectedIdOf(name: string): string | undefined {
  return isProtectedName(name) ? name.slice(PROTECTED_PREFIX.length, PROTECTED_PREFIX_WITH_UUID_LENGTH - 1) : undefined;
}

/** `path` with its last component protected by `protectedId` ("/a/b" -> "/a/_c_<id>-b"; "/q/" -> "/q/_c_<id>-"). */
export function toProtectedPath(path: string, protectedId: string): string {
  const slash = path.lastIndexOf('/');
  const parent = slash <= 0 ? '/' : path.slice(0, slash);
  return joinPath(parent, protectedPrefix(protectedId) + path.slice(slash + 1));
}

/** The parent of a (possibly trailing-slash sequential) create path. */
export function createParentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** The first child of `parent` carrying the prefix of `protectedId`, as a full path. */
export function findProtectedChild(children: readonly string[], parent: string, protectedId: string): string | undefined {
  const prefix = protectedPrefix(protectedId);
  const found = children.find((c) => c.startsWith(prefix));
  return found === undefined ? undefined : joinPath(parent, found);
}

/** One protected create: its id, and the session an ephemeral one was first tried on. */
export class ProtectedCreate {
  readonly id = randomUUID();
  private sessionId: bigint | undefined;

  constructor(private readonly ephemeral: boolean) {}

  /** Remembers the session of the first attempt (ephemeral nodes belong to it). */
  noteSession(client: ZooKeeperClient): void {
    if (this.ephemeral && this.sessionId === undefined) this.sessionId = client.sessionId;
  }

  /**
   * Looks for the node an earlier attempt may have created. An ephemeral found after the session
   * changed belongs to the old session: it is handed to `discard` (deleted in the background) and
   * not returned.
   */
  async find(client: ZooKeeperClient, createPath: string, discard: (path: string) => void): Promise<string | undefined> {
    const parent = createParentOf(createPath);
    let found: string | undefined;
    try {
      found = findProtectedChild((await client.getChildren(parent)).children, parent, this.id);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
    if (this.ephemeral && this.sessionId !== client.sessionId) {
      if (found !== undefined) discard(found);
      found = undefined;
      this.sessionId = client.sessionId;
    }
    return found;
  }
}

/**
 * After a protected create finally failed without knowing whether the node exists: look for it
 * in the background and delete it (guaranteed), so no orphan stays behind.
 * Counterpart: FindAndDeleteProtectedNodeInBackground.
 */
export function findAndDeleteProtectedInBackground(core: FrameworkCore, parent: string, protectedId: string): void {
  const run = async (): Promise<void> => {
    while (core.lifecycle === 'started') {
      try {
        const children = await core.withRetry(async (client) => (await client.getChildren(parent)).children);
        const found = findProtectedChild(children, parent, protectedId);
        if (found !== undefined) core.guaranteedDeletes.add(found, { version: -1, quietly: true, deletingChildrenIfNeeded: false });
        return;
      } catch (e) {
        if (e instanceof NoNodeError) return;
        if (!policyAllowsRetryOn(core.options.retryPolicy, e)) {
          core.reportBackgroundError(e, `looking for the protected node ${protectedPrefix(protectedId)}* under ${parent}`);
          return;
        }
        if (!(await core.states.blockUntilConnected())) return;
      }
    }
  };
  void run();
}
