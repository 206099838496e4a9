// One znode as a stream of typed config values: the node's data (from a NodeCache) decoded,
// the last good value kept when a bad one is written (the error reported, not thrown), a default
// while the node is missing, and only values that differ from the previous one emitted.
// Counterpart: a Curator NodeCache listener that deserializes, validates and dedupes by hand.

import { isDeepStrictEqual } from 'node:util';
import { concatMap, defer, EMPTY, filter, from, of, type Observable } from 'rxjs';
import type { ChildData } from '../../framework/index.js';
import { ConfigError } from './config-error.js';
import { configDecoder, type ConfigDecoding, type Decoded } from './config-decoding.js';

export interface ConfigValueOptions<T> extends ConfigDecoding<T> {
  /**
   * Emitted while the node does not exist, and when the first value read is bad. Without a
   * default, a missing node is reported as a ConfigError ('missing') and nothing is emitted.
   */
  readonly default?: T;
  /** When two values are the same (only changes are emitted). Default: deep equality (node:util isDeepStrictEqual). */
  readonly equals?: (a: T, b: T) => boolean;
}

const NO_DATA = Buffer.alloc(0);

/** The identity of what was read: the node's incarnation and data version, or its absence. */
export function readIdentity(node: ChildData | null | undefined): string {
  return node ? `${node.stat.czxid}:${node.stat.mzxid}` : 'missing';
}

export function isPromiseLike<T>(x: T | Promise<T>): x is Promise<T> {
  return typeof (x as { then?: unknown } | null)?.then === 'function';
}

/** Decodes `data$` (the node after every change, null while missing) into config values of `path`. */
export function configValue<T>(
  data$: Observable<ChildData | null>,
  path: string,
  options: ConfigValueOptions<T>,
  report: (error: ConfigError) => void,
): Observable<T> {
  const decode = configDecoder(options);
  const hasDefault = Object.hasOwn(options, 'default');
  const equals = options.equals ?? isDeepStrictEqual;
  return defer(() => {
    let seen: string | undefined;
    let last: { value: T } | undefined;
    const emit = (value: T): Observable<T> => {
      if (last !== undefined && equals(last.value, value)) return EMPTY;
      last = { value };
      return of(value);
    };
    const use = (decoded: Decoded<T>): Observable<T> => {
      if (decoded.ok) return emit(decoded.value);
      report(decoded.error);
      return last === undefined && hasDefault ? emit(options.default as T) : EMPTY;
    };
    return data$.pipe(
      // The cache re-emits the node after reconnections and unrelated events: decode each version once.
      filter((node) => {
        const id = readIdentity(node);
        if (id === seen) return false;
        seen = id;
        return true;
      }),
      concatMap((node) => {
        if (node === null) {
          if (hasDefault) return emit(options.default as T);
          report(new ConfigError(path, 'missing'));
          return EMPTY;
        }
        const decoded = decode(path, node.data ?? NO_DATA, node.stat.version);
        return isPromiseLike(decoded) ? from(decoded).pipe(concatMap(use)) : use(decoded);
      }),
    );
  });
}
