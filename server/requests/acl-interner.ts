// Identical ACL lists kept once: every create carries its own decoded copy of (usually) the same
// list, and a tree of a million znodes would otherwise hold a million equal arrays — memory, GC
// marking, and work for the snapshot's ACL table, which recognises a list it has seen by
// identity. Interned lists are frozen, since many nodes share them. Bounded: past `max` distinct
// lists, new ones are stored as they come. Counterpart: ReferenceCountedACLCache.

import type { ACL } from '../../protocol/records.js';

const DEFAULT_MAX_LISTS = 1024;

function keyOf(acl: readonly ACL[]): string {
  if (acl.length === 1) return `${acl[0]!.perms}\u0000${acl[0]!.id.scheme}\u0000${acl[0]!.id.id}`;
  return acl.map((a) => `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}`).join('\u0001');
}

function sameEntries(a: readonly ACL[], b: readonly ACL[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.perms !== y.perms || x.id.scheme !== y.id.scheme || x.id.id !== y.id.id) return false;
  }
  return true;
}

export class AclInterner {
  private readonly lists = new Map<string, readonly ACL[]>();
  /** The list returned last: runs of creates mostly carry the same ACL, found without a key. */
  private last: readonly ACL[] | undefined;

  constructor(private readonly maxLists = DEFAULT_MAX_LISTS) {}

  /** The shared list equal to `acl` (same entries, same order), or `acl` itself past the bound. */
  intern(acl: readonly ACL[]): readonly ACL[] {
    if (this.last !== undefined && sameEntries(acl, this.last)) return this.last;
    const key = keyOf(acl);
    const known = this.lists.get(key);
    if (known !== undefined) return (this.last = known);
    if (this.lists.size >= this.maxLists) return acl;
    const shared = Object.freeze(acl.map((a) => Object.freeze({ perms: a.perms, id: Object.freeze({ scheme: a.id.scheme, id: a.id.id }) })));
    this.lists.set(key, shared);
    return (this.last = shared);
  }

  get size(): number {
    return this.lists.size;
  }
}
