// AclInterner: equal lists (same entries, same order) become one frozen array; different ones do
// not; past its bound it hands lists back as they are. And through the pipeline: znodes created
// with equal ACLs share one list, so a big tree holds it once.

import { describe, expect, it } from 'vitest';
import type { ACL } from '../../../../protocol/records.js';
import { OPEN_ACL_UNSAFE } from '../../../../protocol/types.js';
import { AclInterner } from '../../../../server/requests/acl-interner.js';
import { Harness } from '../support.js';

const world = (perms: number): ACL[] => [{ perms, id: { scheme: 'world', id: 'anyone' } }];
const two = (): ACL[] => [{ perms: 1, id: { scheme: 'digest', id: 'u:x' } }, { perms: 31, id: { scheme: 'ip', id: '10.0.0.1' } }];

describe('AclInterner', () => {
  it('equal lists share one frozen copy; unequal ones (perms, ids, order) do not', () => {
    const acls = new AclInterner();
    const a = acls.intern(world(31));
    expect(acls.intern(world(31))).toBe(a);
    expect(a).toEqual(world(31));
    expect(Object.isFrozen(a) && Object.isFrozen(a[0]) && Object.isFrozen(a[0]!.id)).toBe(true);
    expect(acls.intern(world(1))).not.toBe(a);
    const b = acls.intern(two());
    expect(acls.intern(two())).toBe(b);
    expect(acls.intern([...two()].reverse())).not.toBe(b);
    expect(acls.size).toBe(4);
  });

  it('past its bound, new lists are returned unshared and old ones still are', () => {
    const acls = new AclInterner(2);
    const a = acls.intern(world(1));
    acls.intern(world(2));
    const third = world(3);
    expect(acls.intern(third)).toBe(third);
    expect(acls.size).toBe(2);
    expect(acls.intern(world(1))).toBe(a);
  });
});

describe('ACLs in the tree', () => {
  it('znodes created with equal ACLs (each request its own copy) share one list', () => {
    const h = new Harness();
    const c = h.connect();
    for (const p of ['/a', '/b', '/c']) c.create(p, { acl: [...OPEN_ACL_UNSAFE] });
    const [a, b, cc] = ['/a', '/b', '/c'].map((p) => h.proc.tree.get(p)!.acl);
    expect(a).toBe(b);
    expect(b).toBe(cc);
    expect(a).toEqual(OPEN_ACL_UNSAFE);
  });
});
