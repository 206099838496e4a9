// ACL checks and the auth providers behind them: world, auth, digest (with superDigest),
// ip (IPv4 with CIDR) and super. Pure: the caller passes the connection's auth ids.
// Counterpart: ZooKeeperServer.checkACL, PrepRequestProcessor.fixupACL,
// DigestAuthenticationProvider, IPAuthenticationProvider.

import { createHash } from 'node:crypto';
import type { ACL, Id } from '../../protocol/records.js';
import { InvalidACLError, NoAuthError } from '../../protocol/errors.js';

/** digest scheme: `user:base64(sha1("user:password"))`. */
export function digestId(userPassword: string): string {
  const user = userPassword.split(':', 1)[0]!;
  const hash = createHash('sha1').update(Buffer.from(userPassword, 'utf8')).digest('base64');
  return `${user}:${hash}`;
}

/** Java's String.split(":") with trailing empty strings removed, then "exactly two parts". */
function isValidDigestId(id: string): boolean {
  const parts = id.split(':');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 2;
}

function ipv4Bytes(addr: string): number[] | undefined {
  const parts = addr.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out.push(v);
  }
  return out;
}

function parseCidr(expr: string): { bytes: number[]; bits: number } | undefined {
  const slash = expr.indexOf('/');
  const bytes = ipv4Bytes(slash < 0 ? expr : expr.slice(0, slash));
  if (!bytes) return undefined;
  if (slash < 0) return { bytes, bits: 32 };
  const bitsText = expr.slice(slash + 1);
  if (!/^\d+$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > 32) return undefined;
  return { bytes, bits };
}

/** Strips the IPv4-mapped IPv6 prefix Node reports for dual-stack sockets. */
export function normalizeClientIp(address: string): string {
  return address.startsWith('::ffff:') && ipv4Bytes(address.slice(7)) ? address.slice(7) : address;
}

function ipMatches(clientIp: string, aclExpr: string): boolean {
  const cidr = parseCidr(aclExpr);
  const addr = ipv4Bytes(normalizeClientIp(clientIp));
  if (!cidr || !addr) return false;
  let bits = cidr.bits;
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[i]! & mask) !== (cidr.bytes[i]! & mask)) return false;
  }
  return true;
}

interface AuthProvider {
  /** Ids of this provider identify a user (so the `auth` ACL scheme expands to them). */
  readonly authenticated: boolean;
  isValid(id: string): boolean;
  matches(connectionId: string, aclId: string): boolean;
}

const PROVIDERS: Record<string, AuthProvider> = {
  digest: { authenticated: true, isValid: isValidDigestId, matches: (a, b) => a === b },
  ip: { authenticated: false, isValid: (id) => parseCidr(id) !== undefined, matches: ipMatches },
};

/** Own keys only: a scheme such as "constructor" or "__proto__" is simply unknown. */
function providerOf(scheme: string): AuthProvider | undefined {
  return Object.hasOwn(PROVIDERS, scheme) ? PROVIDERS[scheme] : undefined;
}

export function isKnownAuthScheme(scheme: string): boolean {
  return providerOf(scheme) !== undefined;
}

export interface AclContext {
  /** The connection's auth ids (ip:..., digest:..., super:). */
  readonly authIds: readonly Id[];
}

export function hasPermission(acl: readonly ACL[], perm: number, ids: readonly Id[]): boolean {
  if (acl.length === 0) return true;
  for (const id of ids) if (id.scheme === 'super') return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    const { scheme, id } = entry.id;
    if (scheme === 'world' && id === 'anyone') return true;
    const provider = providerOf(scheme);
    if (!provider) continue;
    for (const own of ids) if (own.scheme === scheme && provider.matches(own.id, id)) return true;
  }
  return false;
}

export function checkACL(acl: readonly ACL[], perm: number, ids: readonly Id[], path?: string): void {
  if (!hasPermission(acl, perm, ids)) throw new NoAuthError(path);
}

/**
 * Validates and normalises an ACL list for create / setACL; `auth` expands to the caller's ids and
 * repeated entries are dropped. A list that needs neither (the usual case) is returned as it is.
 */
export function fixupACL(path: string, acl: ACL[], ids: readonly Id[]): ACL[] {
  if (acl.length === 0) throw new InvalidACLError(path);
  let unchanged = true;
  for (let i = 0; i < acl.length && unchanged; i++) {
    unchanged = acl[i]!.id.scheme !== 'auth' && !isRepeated(acl, i);
  }
  if (unchanged) {
    for (const a of acl) checkIdValid(path, a);
    return acl;
  }
  const out: ACL[] = [];
  for (let i = 0; i < acl.length; i++) {
    const a = acl[i]!;
    if (isRepeated(acl, i)) continue;
    if (a.id.scheme !== 'auth') {
      checkIdValid(path, a);
      out.push(a);
      continue;
    }
    let any = false;
    for (const own of ids) {
      if (providerOf(own.scheme)?.authenticated) {
        any = true;
        out.push({ perms: a.perms, id: { scheme: own.scheme, id: own.id } });
      }
    }
    if (!any) throw new InvalidACLError(path);
  }
  return out;
}

/** Whether an entry equal to acl[i] (perms, scheme and id) comes earlier in the list. */
function isRepeated(acl: readonly ACL[], i: number): boolean {
  const a = acl[i]!;
  for (let j = 0; j < i; j++) {
    const u = acl[j]!;
    if (u.perms === a.perms && u.id.scheme === a.id.scheme && u.id.id === a.id.id) return true;
  }
  return false;
}

/** world:anyone, or an id its scheme's provider accepts. */
function checkIdValid(path: string, a: ACL): void {
  const { scheme, id } = a.id;
  if (scheme === 'world' && id === 'anyone') return;
  const provider = providerOf(scheme);
  if (!provider || !provider.isValid(id)) throw new InvalidACLError(path);
}

/** getACL without ADMIN: digest ids are shown as `user:x`. */
export function maskDigests(acl: readonly ACL[]): ACL[] {
  return acl.map((a) =>
    a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: 'digest', id: a.id.id.replace(/:.*/s, ':x') } } : a,
  );
}

/**
 * The ids an auth packet adds to a connection, or undefined when the scheme is unknown
 * (ZooKeeper answers AuthFailed and closes). Digest never fails; ip adds the peer's address.
 */
export function authenticate(
  scheme: string, auth: Buffer, remoteIp: string, superDigest: string | undefined,
): Id[] | undefined {
  if (scheme === 'ip') return [{ scheme: 'ip', id: normalizeClientIp(remoteIp) }];
  if (scheme !== 'digest') return undefined;
  const id = digestId(auth.toString('utf8'));
  const ids: Id[] = [{ scheme: 'digest', id }];
  if (superDigest !== undefined && id === superDigest) ids.push({ scheme: 'super', id: '' });
  return ids;
}
