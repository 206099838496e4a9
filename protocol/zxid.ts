// zxid arithmetic: zxid = epoch << 32 | counter, as signed 64-bit bigints.
// Counterpart: org.apache.zookeeper.server.util.ZxidUtils.

export const COUNTER_MASK = 0xffffffffn;

export function makeZxid(epoch: bigint | number, counter: bigint | number): bigint {
  return BigInt.asIntN(64, (BigInt(epoch) << 32n) | (BigInt(counter) & COUNTER_MASK));
}

export function epochOf(zxid: bigint): bigint {
  return BigInt.asUintN(64, zxid) >> 32n;
}

export function counterOf(zxid: bigint): bigint {
  return zxid & COUNTER_MASK;
}

/** Java's Long.toHexString: unsigned, lowercase, no padding. Used by 4lw output and file names. */
export function toHexString(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16);
}
