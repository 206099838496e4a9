// The two writes every counter makes — setData against an expected version, and create when the
// node is missing — run in the framework's retry loop, with the ambiguity of a lost reply made
// explicit instead of guessed. When a retry (after a connection loss) finds BadVersion /
// NodeExists, the node is read:
// - one version past the expected one (version 0 for a create) holding other bytes than ours:
//   another client's write took that version, so ours was refused — a plain conflict, safe to
//   compute again;
// - anything else — our bytes at that version (ours, or another client's identical write: under
//   contention two increments from the same value write the same bytes), or a version further on —
//   cannot be attributed: WriteOutcomeUnknownError, and nothing is retried.
// Curator instead treats every such BadVersion as a conflict and applies the update again, so an
// increment whose reply was lost may be counted twice. The first attempt never reads: a
// BadVersion there is a conflict. Counters never compress: their bytes are Curator's formats,
// read by Java services too.

import {
  BadVersionError, CreateMode, NodeExistsError, NoNodeError, type Stat, type ZooKeeperClient, type ZooKeeperFramework,
} from '../../framework/index.js';
import { WriteOutcomeUnknownError } from '../errors.js';

/** How often casCreate re-creates reaped parent containers before giving up. */
const MAX_PARENT_ROUNDS = 5;

/** setData(path, bytes, version); undefined when the version did not match (someone else wrote first). */
export async function casSetData(framework: ZooKeeperFramework, path: string, bytes: Buffer, version: number): Promise<Stat | undefined> {
  const serverPath = framework.fixForNamespace(path);
  let attempts = 0;
  return framework.withRetry(async (client) => {
    const retrying = attempts++ > 0;
    try {
      return await client.setData(serverPath, bytes, version);
    } catch (e) {
      if (!(e instanceof BadVersionError)) throw e;
      if (!retrying || version === -1) return undefined;
      const current = await readAfterLostReply(client, serverPath);
      if (current === undefined) return undefined;
      return resolveLostWrite(path, version, version + 1, current, bytes) || undefined;
    }
  });
}

/** Creates the node with `bytes` (parents as containers); false when it already existed (someone else created it). */
export async function casCreate(framework: ZooKeeperFramework, path: string, bytes: Buffer): Promise<boolean> {
  const serverPath = framework.fixForNamespace(path);
  for (let parentsMade = 0; ; parentsMade++) {
    // Counted per retry loop: only an attempt after a retryable failure (connection loss) of this
    // very create may take an existing node for its own.
    let attempts = 0;
    try {
      return await framework.withRetry(async (client) => {
        const retrying = attempts++ > 0;
        try {
          await client.create(serverPath, bytes);
          return true;
        } catch (e) {
          if (!(e instanceof NodeExistsError)) throw e;
          if (!retrying) return false;
          const current = await readAfterLostReply(client, serverPath);
          if (current === undefined) return false;
          return resolveLostWrite(path, -1, 0, current, bytes);
        }
      });
    } catch (e) {
      // The parent is missing (never made, or a container reaped meanwhile): make it and try again.
      if (!(e instanceof NoNodeError) || parentsMade >= MAX_PARENT_ROUNDS) throw e;
      await createParentContainers(framework, path);
    }
  }
}

async function readAfterLostReply(client: ZooKeeperClient, serverPath: string): Promise<{ data: Buffer | null; stat: Stat } | undefined> {
  try {
    return await client.getData(serverPath);
  } catch (e) {
    // Deleted since: whoever wrote, the write we retried is moot; treat as a conflict.
    if (e instanceof NoNodeError) return undefined;
    throw e;
  }
}

/** False: another client's write took the version ours needed (a conflict); throws when whose write it was cannot be known. */
function resolveLostWrite(
  path: string, expectedVersion: number, ourVersion: number, current: { data: Buffer | null; stat: Stat }, bytes: Buffer,
): false {
  if (current.stat.version === ourVersion && !(current.data !== null && current.data.equals(bytes))) return false;
  throw new WriteOutcomeUnknownError(path, expectedVersion, current.stat.version);
}

/** Creates the parents of `path` as empty containers (Curator's creatingParentContainersIfNeeded). */
async function createParentContainers(framework: ZooKeeperFramework, path: string): Promise<void> {
  const parent = path.slice(0, path.lastIndexOf('/'));
  if (parent === '') return;
  try {
    await framework.create(parent, Buffer.alloc(0), { mode: CreateMode.CONTAINER, creatingParentContainersIfNeeded: true });
  } catch (e) {
    if (!(e instanceof NodeExistsError)) throw e;
  }
}
