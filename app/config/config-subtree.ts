// A znode subtree as a stream of typed maps: every node below the root that has data, keyed by
// its path relative to the root ('db', 'db/replica'), each decoded on its own. A node whose new
// value is bad keeps its last good value (the error reported); a node with no good value yet is
// left out. Nodes without data are structure and are not in the map. Only changed maps are emitted.
// Counterpart: a Curator TreeCache listener that deserializes each child by hand.

import { isDeepStrictEqual } from 'node:util';
import { concatMap, defer, EMPTY, from, map, of, type Observable } from 'rxjs';
import type { ChildData } from '../../framework/index.js';
import type { ConfigError } from './config-error.js';
import { configDecoder, type ConfigDecoding, type Decoded } from './config-decoding.js';
import { isPromiseLike, readIdentity } from './config-value.js';

export interface ConfigSubtreeOptions<T> extends ConfigDecoding<T> {
  /** Levels below the root to include (1 = the root's children). Default unlimited. */
  readonly maxDepth?: number;
}

interface NodeState<T> {
  id: string;
  good: { value: T } | undefined;
}

/** The key of `path` in the map of the subtree at `root`. */
export function relativeKey(root: string, path: string): string {
  return root === '/' ? path.slice(1) : path.slice(root.length + 1);
}

export function configSubtree<T>(
  snapshot$: Observable<ReadonlyMap<string, ChildData>>,
  root: string,
  options: ConfigSubtreeOptions<T>,
  report: (error: ConfigError) => void,
): Observable<ReadonlyMap<string, T>> {
  const decode = configDecoder(options);
  return defer(() => {
    const nodes = new Map<string, NodeState<T>>();
    let last: ReadonlyMap<string, T> | undefined;

    const apply = (changed: ReadonlyArray<[string, Decoded<T>]>, present: ReadonlySet<string>): Observable<ReadonlyMap<string, T>> => {
      for (const [path, decoded] of changed) {
        const state = nodes.get(path)!;
        if (decoded.ok) state.good = { value: decoded.value };
        else report(decoded.error);
      }
      for (const path of [...nodes.keys()]) if (!present.has(path)) nodes.delete(path);
      const out = new Map<string, T>();
      for (const path of [...nodes.keys()].sort()) {
        const good = nodes.get(path)!.good;
        if (good) out.set(relativeKey(root, path), good.value);
      }
      if (last !== undefined && isDeepStrictEqual(last, out)) return EMPTY;
      last = out;
      return of(out);
    };

    return snapshot$.pipe(
      concatMap((snapshot) => {
        const present = new Set<string>();
        const pending: Array<[string, Decoded<T> | Promise<Decoded<T>>]> = [];
        for (const [path, node] of snapshot) {
          if (path === root || node.data === null || node.data.length === 0) continue;
          present.add(path);
          const id = readIdentity(node);
          const state = nodes.get(path);
          if (state?.id === id) continue;
          if (state) state.id = id;
          else nodes.set(path, { id, good: undefined });
          pending.push([path, decode(path, node.data, node.stat.version)]);
        }
        if (!pending.some(([, d]) => isPromiseLike(d))) return apply(pending as Array<[string, Decoded<T>]>, present);
        return from(Promise.all(pending.map(async ([path, d]) => [path, await d] as [string, Decoded<T>]))).pipe(
          map((done) => apply(done, present)),
          concatMap((out) => out),
        );
      }),
    );
  });
}

