// Options every cache takes, and how they become a run's settings: keep data or Stats only,
// gzip-compressed data, persistent-recursive watch or one-shot watches, error reporting.
// Counterpart: the builders of Curator's TreeCache / PathChildrenCache / CuratorCache.

import { gunzipSync } from 'node:zlib';
import type { CacheScope } from './cache-scope.js';
import type { TreeSyncOptions } from './tree-sync.js';

/** Decompresses node data (the framework's CompressionProvider fits). */
export interface Decompressor {
  decompress(path: string, data: Buffer): Buffer;
}

export interface CommonCacheOptions {
  /** Keep each node's data; false keeps Stats only (data is null). Default true. */
  cacheData?: boolean;
  /** Node data is compressed (gzip, as Curator's GzipCompressionProvider); cached decompressed. Default false. */
  dataIsCompressed?: boolean;
  /** The decompression for dataIsCompressed. Default gzip. */
  compression?: Decompressor;
  /** Receives errors other than connection loss (NoAuth on a node, undecodable data, ...). Default: process.emitWarning. */
  onError?: (error: unknown, path: string) => void;
}

const GZIP: Decompressor = { decompress: (_path, data) => gunzipSync(data) };

export function treeSyncOptions(scope: CacheScope, o: CommonCacheOptions, recursiveWatch: boolean): TreeSyncOptions {
  const compression = o.compression ?? GZIP;
  return {
    scope,
    cacheData: o.cacheData ?? true,
    decode: o.dataIsCompressed ? (path, data) => compression.decompress(path, data) : undefined,
    recursiveWatch,
    onError: o.onError ?? ((error, path) => process.emitWarning(`zabkit cache of ${scope.root}: ${path}: ${String(error)}`)),
  };
}
