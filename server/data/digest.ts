// The tree digest of ZooKeeper 3.6+ (digest version 2): a node's digest is the CRC-32 of its path
// ("" for the root), its data and a 60-byte block of persisted Stat fields; the tree's digest is
// the wrapping 64-bit sum over its nodes, where nodes under /zookeeper/ count 0. Equal trees give
// equal digests whatever their insertion order, so replicas can be compared at equal zxids.
// Pure (a table-driven CRC-32, no node:zlib). Counterpart: DigestCalculator, DataTree.getTreeDigest.

import type { DataTree } from './data-tree.js';
import type { Znode } from './znode.js';

/** ZooKeeper's DIGEST_VERSION for this calculation. */
export const DIGEST_VERSION = 2;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Continues a CRC-32 (IEEE, as java.util.zip.CRC32) over `bytes`. Start with 0. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const statBlock = Buffer.alloc(60);

/** DigestCalculator.calculateDigest for one node: 0 under /zookeeper/, else an unsigned 32-bit CRC. */
export function nodeDigest(path: string, node: Znode): number {
  if (path.startsWith('/zookeeper/')) return 0;
  const b = statBlock;
  b.writeBigInt64BE(node.czxid, 0);
  b.writeBigInt64BE(node.mzxid, 8);
  b.writeBigInt64BE(node.pzxid, 16);
  b.writeBigInt64BE(node.ctime, 24);
  b.writeBigInt64BE(node.mtime, 32);
  b.writeInt32BE(node.version, 40);
  b.writeInt32BE(node.cversion, 44);
  b.writeInt32BE(node.aversion, 48);
  b.writeBigInt64BE(node.ephemeralOwner, 52);
  let crc = crc32(Buffer.from(path === '/' ? '' : path, 'utf8'));
  if (node.data !== null) crc = crc32(node.data, crc);
  return crc32(b, crc);
}

/** The tree's digest: the sum of its nodes' digests as a signed 64-bit long (Java's overflow). */
export function treeDigest(tree: DataTree): bigint {
  let sum = 0n;
  let pending = 0; // node digests are < 2^32: a few thousand add up exactly in a double
  let count = 0;
  for (const [path, node] of tree.entries()) {
    pending += nodeDigest(path, node);
    if (++count % 4096 === 0) {
      sum += BigInt(pending);
      pending = 0;
    }
  }
  return BigInt.asIntN(64, sum + BigInt(pending));
}
