// How the stored ephemeralOwner encodes a node's kind: 0 persistent, a session id for
// ephemerals, Long.MIN_VALUE for containers, 0xFF.. | ttl for TTL nodes.
// Counterpart: org.apache.zookeeper.server.EphemeralType.

export const CONTAINER_EPHEMERAL_OWNER = -0x8000000000000000n;
const EXTENDED_MASK = 0xff00000000000000n;
const TTL_FEATURE_MASK = 0x00ffff0000000000n;
const TTL_VALUE_MASK = 0x000000ffffffffffn;
export const MAX_TTL_MS = TTL_VALUE_MASK;

export const EphemeralKind = {
  VOID: 'void',
  NORMAL: 'normal',
  CONTAINER: 'container',
  TTL: 'ttl',
} as const;
export type EphemeralKind = (typeof EphemeralKind)[keyof typeof EphemeralKind];

export function ephemeralKindOf(owner: bigint): EphemeralKind {
  if (owner === 0n) return EphemeralKind.VOID;
  if (owner === CONTAINER_EPHEMERAL_OWNER) return EphemeralKind.CONTAINER;
  const unsigned = BigInt.asUintN(64, owner);
  if ((unsigned & EXTENDED_MASK) === EXTENDED_MASK && (unsigned & TTL_FEATURE_MASK) === 0n) return EphemeralKind.TTL;
  return EphemeralKind.NORMAL;
}

export function ttlEphemeralOwner(ttlMs: bigint): bigint {
  return BigInt.asIntN(64, EXTENDED_MASK | (ttlMs & TTL_VALUE_MASK));
}

export function ttlOf(owner: bigint): bigint {
  return BigInt.asUintN(64, owner) & TTL_VALUE_MASK;
}
