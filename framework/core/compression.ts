// Compression of znode data for ops that ask for it (`compressed: true`, or every op when the
// framework's compressionEnabled is set). gzip by default, so a Java Curator client using its
// GzipCompressionProvider reads and writes the same bytes.
// Counterpart: org.apache.curator.framework.api.CompressionProvider and GzipCompressionProvider.

import { gunzipSync, gzipSync } from 'node:zlib';

export interface CompressionProvider {
  compress(path: string, data: Buffer): Buffer;
  decompress(path: string, data: Buffer): Buffer;
}

export class GzipCompressionProvider implements CompressionProvider {
  compress(_path: string, data: Buffer): Buffer {
    return gzipSync(data);
  }
  decompress(_path: string, data: Buffer): Buffer {
    return gunzipSync(data);
  }
}
