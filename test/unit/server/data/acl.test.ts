// ACL checks and auth providers (protocol.md §10).

import { describe, expect, it } from 'vitest';
import { InvalidACLError, NoAuthError } from '../../../../protocol/errors.js';
import type { ACL, Id } from '../../../../protocol/records.js';
import { OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE } from '../../../../protocol/types.js';
import {
  authenticate, checkACL, digestId, fixupACL, hasPermission, isKnownAuthScheme, maskDigests, normalizeClientIp,
} from '../../../../server/data/acl.js';

const ip = (addr: string): Id => ({ scheme: 'ip', id: addr });
const digest = (userPassword: string): Id => ({ scheme: 'digest', id: digestId(userPassword) });
const acl = (perms: number, scheme: string, id: string): ACL => ({ perms, id: { scheme, id } });

describe('digest ids (§10.4 vectors)', () => {
  it.each([
    ['super:test', 'super:D/InIHSb7yEEbrWz8b9l71RjZJU='],
    ['bob:secret', 'bob:fyVmFCwVbTJYrznoSu1koqYEYF0='],
    ['user:password', 'user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY='],
  ])('%s -> %s', (input, expected) => {
    expect(digestId(input)).toBe(expected);
  });

  it('user is the text before the first colon; the hash covers the whole string', () => {
    const id = digestId('a:b:c');
    expect(id.startsWith('a:')).toBe(true);
    expect(id).not.toBe(digestId('a:b'));
    expect(digestId('nocolon').startsWith('nocolon:')).toBe(true);
  });
});

describe('hasPermission / checkACL (§10.2)', () => {
  it('an empty ACL allows everything', () => {
    expect(hasPermission([], Perms.ADMIN, [])).toBe(true);
  });

  it('world:anyone grants exactly its bits', () => {
    expect(hasPermission(READ_ACL_UNSAFE, Perms.READ, [])).toBe(true);
    expect(hasPermission(READ_ACL_UNSAFE, Perms.WRITE, [])).toBe(false);
    expect(hasPermission(OPEN_ACL_UNSAFE, Perms.DELETE, [])).toBe(true);
    // world with an id other than anyone matches nobody
    expect(hasPermission([acl(Perms.ALL, 'world', 'someone')], Perms.READ, [])).toBe(false);
  });

  it('a combined mask passes when any of its bits is granted (getACL: READ or ADMIN)', () => {
    const a = [acl(Perms.ADMIN, 'world', 'anyone')];
    expect(hasPermission(a, Perms.READ | Perms.ADMIN, [])).toBe(true);
    expect(hasPermission(a, Perms.READ, [])).toBe(false);
  });

  it('digest matches by exact id and only against ids of the same scheme', () => {
    const a = [acl(Perms.READ, 'digest', digestId('bob:secret'))];
    expect(hasPermission(a, Perms.READ, [ip('1.2.3.4'), digest('bob:secret')])).toBe(true);
    expect(hasPermission(a, Perms.READ, [digest('bob:wrong')])).toBe(false);
    expect(hasPermission(a, Perms.READ, [{ scheme: 'ip', id: digestId('bob:secret') }])).toBe(false);
    expect(hasPermission(a, Perms.WRITE, [digest('bob:secret')])).toBe(false);
  });

  it('super bypasses every ACL', () => {
    const a = [acl(Perms.READ, 'digest', digestId('bob:secret'))];
    expect(hasPermission(a, Perms.ADMIN, [{ scheme: 'super', id: '' }])).toBe(true);
  });

  it('entries of an unknown scheme never match', () => {
    expect(hasPermission([acl(Perms.ALL, 'sasl', 'bob')], Perms.READ, [{ scheme: 'sasl', id: 'bob' }])).toBe(false);
  });

  it('checkACL throws NoAuth carrying the path', () => {
    expect(() => checkACL(READ_ACL_UNSAFE, Perms.WRITE, [], '/p')).toThrow(NoAuthError);
    try {
      checkACL(READ_ACL_UNSAFE, Perms.WRITE, [], '/p');
    } catch (e) {
      expect((e as NoAuthError).code).toBe(-102);
      expect((e as NoAuthError).path).toBe('/p');
    }
    expect(() => checkACL(READ_ACL_UNSAFE, Perms.READ, [])).not.toThrow();
  });
});

describe('ip scheme: IPv4 with CIDR (§10.2)', () => {
  const allowed = (expr: string, addr: string) => hasPermission([acl(Perms.READ, 'ip', expr)], Perms.READ, [ip(addr)]);

  it.each([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.168.1.0/24', '192.168.1.77', true],
    ['192.168.1.0/24', '192.168.2.77', false],
    ['172.16.0.0/12', '172.31.255.255', true],
    ['172.16.0.0/12', '172.32.0.0', false],
    ['1.2.3.4', '1.2.3.4', true],
    ['1.2.3.4', '1.2.3.5', false],
    ['1.2.3.4/32', '1.2.3.4', true],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['10.1.2.3/8', '10.9.9.9', true], // host bits of the ACL address are masked too
    ['10.0.0.128/25', '10.0.0.127', false],
    ['10.0.0.128/25', '10.0.0.200', true],
    ['10.0.0.0/33', '10.0.0.0', false],
    ['10.0.0.0/x', '10.0.0.0', false],
    ['10.0.0', '10.0.0.0', false],
    ['256.0.0.1', '256.0.0.1', false],
  ])('ip:%s vs %s -> %s', (expr, addr, expected) => {
    expect(allowed(expr, addr)).toBe(expected);
  });

  it('IPv6 clients never match; IPv4-mapped IPv6 addresses are treated as IPv4', () => {
    expect(allowed('0.0.0.0/0', '::1')).toBe(false);
    expect(allowed('127.0.0.0/8', '::ffff:127.0.0.1')).toBe(true);
    expect(normalizeClientIp('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeClientIp('::ffff:abcd')).toBe('::ffff:abcd');
    expect(normalizeClientIp('fe80::1')).toBe('fe80::1');
  });
});

describe('fixupACL (§10.5)', () => {
  const bob = digest('bob:secret');

  it('keeps world:anyone and removes exact duplicates', () => {
    const out = fixupACL('/p', [...OPEN_ACL_UNSAFE, ...OPEN_ACL_UNSAFE, ...READ_ACL_UNSAFE], []);
    expect(out).toEqual([...OPEN_ACL_UNSAFE, ...READ_ACL_UNSAFE]);
  });

  it('a list that needs no change comes back as it is; one that does is a new list', () => {
    const plain = [acl(Perms.ALL, 'world', 'anyone'), acl(Perms.READ, 'digest', 'bob:hash')];
    expect(fixupACL('/p', plain, [])).toBe(plain);
    const mixed = [acl(Perms.READ, 'world', 'anyone'), acl(Perms.ALL, 'auth', ''), acl(Perms.READ, 'world', 'anyone')];
    const out = fixupACL('/p', mixed, [bob]);
    expect(out).not.toBe(mixed);
    expect(out).toEqual([acl(Perms.READ, 'world', 'anyone'), { perms: Perms.ALL, id: bob }]);
    expect(mixed).toHaveLength(3);
  });

  it('an invalid id is InvalidACL whether or not the list needs a change', () => {
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'digest', 'bob')], [])).toThrow(InvalidACLError);
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'auth', ''), acl(Perms.ALL, 'digest', 'bob')], [bob])).toThrow(InvalidACLError);
  });

  it('an empty list is InvalidACL', () => {
    expect(() => fixupACL('/p', [], [])).toThrow(InvalidACLError);
  });

  it('world with any id but anyone is InvalidACL', () => {
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'world', 'everyone')], [])).toThrow(InvalidACLError);
  });

  it('auth expands to one entry per authenticated id (digest), not ip, not super', () => {
    const ids: Id[] = [ip('10.0.0.1'), bob, { scheme: 'super', id: '' }, digest('ann:pw')];
    const out = fixupACL('/p', [acl(Perms.READ | Perms.WRITE, 'auth', '')], ids);
    expect(out).toEqual([
      { perms: Perms.READ | Perms.WRITE, id: bob },
      { perms: Perms.READ | Perms.WRITE, id: digest('ann:pw') },
    ]);
  });

  it('auth with no authenticated id is InvalidACL (ip alone does not count)', () => {
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'auth', '')], [ip('10.0.0.1')])).toThrow(InvalidACLError);
  });

  it('digest ids must split into exactly two parts (trailing empties dropped, as Java split)', () => {
    expect(fixupACL('/p', [acl(Perms.ALL, 'digest', 'bob:hash')], [])).toHaveLength(1);
    expect(fixupACL('/p', [acl(Perms.ALL, 'digest', 'bob:hash:')], [])).toHaveLength(1);
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'digest', 'bob:')], [])).toThrow(InvalidACLError);
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'digest', 'bob')], [])).toThrow(InvalidACLError);
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'digest', 'a:b:c')], [])).toThrow(InvalidACLError);
  });

  it('ip ids must be IPv4 with optional /0..32', () => {
    expect(fixupACL('/p', [acl(Perms.ALL, 'ip', '10.0.0.0/8')], [])).toHaveLength(1);
    expect(fixupACL('/p', [acl(Perms.ALL, 'ip', '10.0.0.1')], [])).toHaveLength(1);
    expect(fixupACL('/p', [acl(Perms.ALL, 'ip', '10.0.0.0/0')], [])).toHaveLength(1);
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'ip', '10.0.0.0/33')], [])).toThrow(InvalidACLError);
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'ip', 'localhost')], [])).toThrow(InvalidACLError);
  });

  it('super and unknown schemes are InvalidACL', () => {
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'super', '')], [{ scheme: 'super', id: '' }])).toThrow(InvalidACLError);
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'sasl', 'bob')], [])).toThrow(InvalidACLError);
  });

  it('one bad entry fails the whole list, with the path in the error', () => {
    try {
      fixupACL('/the/path', [...OPEN_ACL_UNSAFE, acl(Perms.ALL, 'nope', 'x')], []);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidACLError);
      expect((e as InvalidACLError).code).toBe(-114);
      expect((e as InvalidACLError).path).toBe('/the/path');
    }
  });
});

describe('maskDigests (getACL without ADMIN, §8.8)', () => {
  it('shows digest ids as user:x and leaves other schemes alone', () => {
    const input = [acl(Perms.ALL, 'digest', digestId('bob:secret')), acl(Perms.READ, 'ip', '10.0.0.1'), ...READ_ACL_UNSAFE];
    expect(maskDigests(input)).toEqual([
      acl(Perms.ALL, 'digest', 'bob:x'), acl(Perms.READ, 'ip', '10.0.0.1'), ...READ_ACL_UNSAFE,
    ]);
    expect(input[0]!.id.id).toBe(digestId('bob:secret'));
  });
});

describe('authenticate (§10.3)', () => {
  it('digest never fails and yields the digest id', () => {
    expect(authenticate('digest', Buffer.from('bob:secret'), '1.2.3.4', undefined)).toEqual([digest('bob:secret')]);
    expect(authenticate('digest', Buffer.from('bob:wrong'), '1.2.3.4', undefined)).toEqual([digest('bob:wrong')]);
  });

  it('superDigest match adds super:""', () => {
    const sd = 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=';
    expect(authenticate('digest', Buffer.from('super:test'), '1.2.3.4', sd)).toEqual([
      { scheme: 'digest', id: sd }, { scheme: 'super', id: '' },
    ]);
    expect(authenticate('digest', Buffer.from('super:nope'), '1.2.3.4', sd)).toEqual([digest('super:nope')]);
    expect(authenticate('digest', Buffer.from('super:test'), '1.2.3.4', undefined)).toEqual([digest('super:test')]);
  });

  it('ip adds the peer address (IPv4-mapped normalised)', () => {
    expect(authenticate('ip', Buffer.alloc(0), '::ffff:10.1.1.1', undefined)).toEqual([ip('10.1.1.1')]);
  });

  it('unknown schemes (including super, world, auth) fail', () => {
    for (const scheme of ['sasl', 'super', 'world', 'auth', 'x509', '']) {
      expect(authenticate(scheme, Buffer.from('a:b'), '1.2.3.4', undefined)).toBeUndefined();
    }
    expect(isKnownAuthScheme('digest')).toBe(true);
    expect(isKnownAuthScheme('ip')).toBe(true);
    expect(isKnownAuthScheme('super')).toBe(false);
  });
});

describe('scheme names that are Object.prototype keys are just unknown schemes', () => {
  const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

  it.each(names)('fixupACL with scheme %s is InvalidACL, not a crash', (scheme) => {
    expect(() => fixupACL('/p', [acl(Perms.ALL, scheme, 'x')], [])).toThrow(InvalidACLError);
  });

  it.each(names)('an ACL entry of scheme %s matches nobody', (scheme) => {
    expect(hasPermission([acl(Perms.ALL, scheme, 'x')], Perms.READ, [{ scheme, id: 'x' }])).toBe(false);
  });

  it.each(names)('isKnownAuthScheme(%s) is false', (scheme) => {
    expect(isKnownAuthScheme(scheme)).toBe(false);
  });

  it('auth expansion ignores a connection id with such a scheme', () => {
    expect(() => fixupACL('/p', [acl(Perms.ALL, 'auth', '')], [{ scheme: 'constructor', id: 'x' }])).toThrow(InvalidACLError);
  });
});
