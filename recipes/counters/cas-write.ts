// The two writes every counter makes — setData against an expected version, and create when the
// node is missing — run in the framework's retry loop, with the ambiguity of a lost reply
// resolved: when a retry (after a connection loss) finds BadVersion / NodeExists, the node is
// read, and if it sits exactly one version past the expected one (version 0 for a create) and
// holds exactly our bytes, the earlier attempt is taken to have succeeded. Without this an
// increment whose reply was lost would be applied twice (Curator retries it as a fresh CAS).
// The first attempt never does this check, so two clients racing with the same new value do not
// both win. Residual ambiguity: a retry cannot tell our own lost write from another client's
// identical write against the same version (see docs/recipes/counters.md).
// Counters never compress: their bytes are Curator's formats, read by Java services too.

import {
  BadVersionError, CreateMode, NodeExistsError, NoNodeError, type Stat, type ZooKeeperFramework,
} from '../../framework/index.js';

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
      if (retrying && version !== -1) {
        const current = await client.getData(serverPath);
        if (current.stat.version === version + 1 && current.data !== null && current.data.equals(bytes)) return current.stat;
      }
      return undefined;
    }
  });
}

/** How often casCreate re-creates reaped parent containers before giving up. */
const MAX_PARENT_ROUNDS = 5;

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
          if (retrying) {
            const current = await client.getData(serverPath);
            if (current.stat.version === 0 && current.data !== null && current.data.equals(bytes)) return true;
          }
          return false;
        }
      });
    } catch (e) {
      // The parent is missing (never made, or a container reaped meanwhile): make it and try again.
      if (!(e instanceof NoNodeError) || parentsMade >= MAX_PARENT_ROUNDS) throw e;
      await createParentContainers(framework, path);
    }
  }
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
