// How the stored ephemeralOwner encodes a node's kind: 0 persistent, Long.MIN_VALUE a container
// (always), a session id for ephemerals, and — only when extended types are enabled — 0xFF.. | ttl
// for TTL nodes. With extended types off, an owner with the high byte 0xFF is a plain session
// owner (the session ids of server 255 look like that). Counterpart:
// org.apache.zookeeper.server.EphemeralType (get; zookeeper.extendedTypesEnabled).

export const CONTAINER_EPHEMERAL_OWNER = -0x8000000000000000n;
const EXTENDED_MASK = 0xff00000000000000n;
const EXTENDED_FEATURE_MASK = 0x00ffff0000000000n;
/** The extended feature number of TTL nodes (the 2 bytes after the high byte). */
const TTL_FEATURE = 0n;
const TTL_VALUE_MASK = 0x000000ffffffffffn;
export const MAX_TTL_MS = TTL_VALUE_MASK;

export const EphemeralKind = {
  VOID: 'void',
  NORMAL: 'normal',
  CONTAINER: 'container',
  TTL: 'ttl',
} as const;
export type EphemeralKind = (typeof EphemeralKind)[keyof typeof EphemeralKind];

/**
 * The kind of node an ephemeralOwner denotes on a server with extended types enabled or not.
 * With extended types on, an extended owner (high byte 0xFF) whose feature is not TTL is taken as
 * a session owner; ZooKeeper rejects it (IllegalArgumentException), but no session of a server
 * with extended types on has such an id (myid is then at most 254).
 */
export function ephemeralKindOf(owner: bigint, extendedTypesEnabled: boolean): EphemeralKind {
  if (owner === 0n) return EphemeralKind.VOID;
  if (owner === CONTAINER_EPHEMERAL_OWNER) return EphemeralKind.CONTAINER;
  if (extendedTypesEnabled) {
    const unsigned = BigInt.asUintN(64, owner);
    if ((unsigned & EXTENDED_MASK) === EXTENDED_MASK && (unsigned & EXTENDED_FEATURE_MASK) >> 40n === TTL_FEATURE) {
      return EphemeralKind.TTL;
    }
  }
  return EphemeralKind.NORMAL;
}

export function ttlEphemeralOwner(ttlMs: bigint): bigint {
  return BigInt.asIntN(64, EXTENDED_MASK | (ttlMs & TTL_VALUE_MASK));
}

export function ttlOf(owner: bigint): bigint {
  return BigInt.asUintN(64, owner) & TTL_VALUE_MASK;
}
