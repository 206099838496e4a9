// Which ACL a node gets when the caller does not give one: the provider's ACL for that path, else
// its default. Paths passed in are full paths (namespace included), as in Curator.
// Counterpart: org.apache.curator.framework.api.ACLProvider and DefaultACLProvider.

import { OPEN_ACL_UNSAFE, type ACL } from '../../protocol/index.js';

export interface AclProvider {
  /** The ACL for nodes without a path-specific one. */
  getDefaultAcl(): readonly ACL[];
  /** The ACL for this path, or undefined to use the default. */
  getAclForPath(path: string): readonly ACL[] | undefined;
}

/** Every node gets OPEN_ACL_UNSAFE (world:anyone, all permissions), as Curator's default. */
export class DefaultAclProvider implements AclProvider {
  getDefaultAcl(): readonly ACL[] {
    return OPEN_ACL_UNSAFE;
  }
  getAclForPath(): undefined {
    return undefined;
  }
}

/**
 * A default ACL plus ACLs for subtrees: a node gets the ACL of the longest configured path that is
 * the node itself or one of its ancestors, else the default.
 */
export class PathAclProvider implements AclProvider {
  private readonly byPath: ReadonlyMap<string, readonly ACL[]>;

  constructor(private readonly defaultAcl: readonly ACL[], byPath: Record<string, readonly ACL[]> | ReadonlyMap<string, readonly ACL[]> = {}) {
    this.byPath = byPath instanceof Map ? new Map(byPath) : new Map(Object.entries(byPath));
    for (const [path, acl] of [...this.byPath, ['(default)', defaultAcl] as const]) {
      if (acl.length === 0) throw new RangeError(`PathAclProvider: the ACL for ${path} is empty`);
    }
  }

  getDefaultAcl(): readonly ACL[] {
    return this.defaultAcl;
  }

  getAclForPath(path: string): readonly ACL[] | undefined {
    for (let p = path; ; p = p.slice(0, Math.max(1, p.lastIndexOf('/')))) {
      const acl = this.byPath.get(p);
      if (acl) return acl;
      if (p === '/') return undefined;
    }
  }
}

/** The ACL for creating `path`: the explicit one, else the provider's for the path, else its default. */
export function aclFor(provider: AclProvider, path: string, explicit?: readonly ACL[]): readonly ACL[] {
  return explicit ?? provider.getAclForPath(path) ?? provider.getDefaultAcl();
}
