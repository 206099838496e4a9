// Temporary data directories for durability tests, and a full, comparable dump of a tree
// (every node's data, ACL and Stat) so "nothing changed across a restart" is one assertion.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataTree } from '../../server/data/data-tree.js';
import { forgetTempDir, removeOnExit } from './processes.js';

export function tempDataDir(label = 'zabkit-data'): string {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  removeOnExit(dir);
  return dir;
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  forgetTempDir(dir);
}

/** A copy of `dir` to damage without touching the original. */
export function copyDataDir(dir: string): string {
  const copy = tempDataDir('zabkit-copy');
  cpSync(dir, copy, { recursive: true });
  return copy;
}

export type TreeDump = Record<string, { data: string | null; acl: string; stat: Record<string, string> }>;

export function dumpTree(tree: DataTree): TreeDump {
  const out: TreeDump = {};
  for (const [path, node] of [...tree.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const stat = Object.fromEntries(Object.entries(tree.statOf(node)).map(([k, v]) => [k, String(v)]));
    out[path] = { data: node.data?.toString('hex') ?? null, acl: JSON.stringify(node.acl), stat };
  }
  return out;
}
