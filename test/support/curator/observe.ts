// Helpers for looking at what Curator did on the server, in a form tests can compare:
// a node layout with the random parts (protection UUIDs, session ids) replaced by stable
// names, the server's data-watch table (the `wchp` four-letter word, same format on zabkit
// and Apache ZooKeeper), and a promise wrapper that tells whether it has settled yet.
import { fourLetterWord } from '../apache-zookeeper.js';
import type { AgentNode } from './agent-types.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export interface LayoutEntry {
  /** The path below the listed root ('' for the root), protection UUIDs shown as <uuid>. */
  readonly path: string;
  readonly data: string | null;
  /** Which session owns the node if it is ephemeral (a name from `owners`), else null. */
  readonly owner: string | null;
}

/** `nodes` listed from `root`, made comparable; `owners` names the sessions (session id → name). */
export function layoutOf(nodes: readonly AgentNode[], root: string, owners: ReadonlyMap<bigint, string>): LayoutEntry[] {
  return inSequenceOrder(nodes).map((n) => {
    if (n.path !== root && !n.path.startsWith(`${root}/`)) throw new Error(`${n.path} is not under ${root}`);
    const ownerId = BigInt.asIntN(64, BigInt(n.ephemeralOwner));
    return {
      path: n.path.slice(root.length).replace(UUID, '<uuid>'),
      data: n.data,
      owner: ownerId === 0n ? null : (owners.get(ownerId) ?? `unknown ${n.ephemeralOwner}`),
    };
  });
}

/**
 * Depth first, siblings in the order Curator ranks them: by sequence suffix where both names
 * have one (protected names start with a random UUID, so name order would be random), else by name.
 */
export function inSequenceOrder(nodes: readonly AgentNode[]): AgentNode[] {
  const compareNames = (x: string, y: string): number => {
    const sx = /(\d{10})$/.exec(x)?.[1];
    const sy = /(\d{10})$/.exec(y)?.[1];
    if (sx !== undefined && sy !== undefined && sx !== sy) return Number(sx) - Number(sy);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return [...nodes].sort((p, q) => {
    const ps = p.path.split('/');
    const qs = q.path.split('/');
    for (let i = 0; i < Math.min(ps.length, qs.length); i++) {
      const order = compareNames(ps[i] ?? '', qs[i] ?? '');
      if (order !== 0) return order;
    }
    return ps.length - qs.length;
  });
}

/** The sequence number a sequential node's name ends with. */
export function sequenceOf(path: string): number {
  const m = /(\d{10})$/.exec(path);
  if (!m?.[1]) throw new Error(`${path} has no sequence suffix`);
  return Number(m[1]);
}

/** The server's data watches (wchp): watched path → session ids (ascending), for paths under `root`. */
export async function dataWatchesUnder(port: number, root: string): Promise<Map<string, bigint[]>> {
  const text = await fourLetterWord(port, 'wchp');
  const watches = new Map<string, bigint[]>();
  let current: bigint[] | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('\t')) {
      current?.push(BigInt.asIntN(64, BigInt(line.trim())));
    } else if (line === root || line.startsWith(`${root}/`)) {
      current = [];
      watches.set(line, current);
    } else {
      current = undefined;
    }
  }
  for (const sessions of watches.values()) sessions.sort(ascending);
  return watches;
}

/** Numeric order for bigint session ids (Array.prototype.sort alone would compare their text). */
export function ascending(x: bigint, y: bigint): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface Tracked<T> {
  readonly promise: Promise<T>;
  /** True once the promise has resolved or rejected. */
  settled(): boolean;
}

/** Wraps a promise so a test can check it is still pending (e.g. a lock waiter). */
export function track<T>(promise: Promise<T>): Tracked<T> {
  let done = false;
  const settle = (): void => {
    done = true;
  };
  promise.then(settle, settle);
  return { promise, settled: () => done };
}
