// How contenders are ranked: by the part of their node name after the lock name — the server's
// 10-digit sequence suffix — so the random protection prefix ("_c_<uuid>-") never affects the
// order. Names without the lock name sort by their whole name. Sorting is stable, so equal keys
// keep the server's listing order (Curator relies on Collections.sort being stable too).
// Counterpart: LockInternalsSorter, StandardLockInternalsDriver.standardFixForSorting,
// LockInternals.getSortedChildren.

/** Maps a child name to its sort key. */
export interface LockInternalsSorter {
  fixForSorting(name: string, lockName: string): string;
}

/** The part of `name` after the last occurrence of `lockName` (the whole name if it has none). */
export function standardFixForSorting(name: string, lockName: string): string {
  const index = name.lastIndexOf(lockName);
  if (index < 0) return name;
  return name.slice(index + lockName.length);
}

/** `children` sorted by their keys (a new array; stable). */
export function sortChildren(children: readonly string[], lockName: string, sorter: LockInternalsSorter): string[] {
  const keyed = children.map((name) => ({ name, key: sorter.fixForSorting(name, lockName) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.name);
}

/** The sequence number a sequential node's name ends with (its last 10 digits), or undefined. */
export function sequenceOf(name: string): number | undefined {
  const m = /(\d{10})$/.exec(name);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
