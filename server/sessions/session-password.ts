// Session passwords exactly as Java ZooKeeper derives them, so a client's stored password is
// accepted by any server of a mixed ensemble: java.util.Random(sessionId ^ 0xB3415C00).nextBytes(16).
// Counterpart: ZooKeeperServer.generatePasswd / java.util.Random.

const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK48 = (1n << 48n) - 1n;
const SUPER_SECRET = 0xb3415c00n;

export function sessionPassword(sessionId: bigint): Buffer {
  let seed = (BigInt.asUintN(64, sessionId ^ SUPER_SECRET) ^ MULTIPLIER) & MASK48;
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i += 4) {
    seed = (seed * MULTIPLIER + ADDEND) & MASK48;
    const next = Number(BigInt.asIntN(32, seed >> 16n));
    out.writeInt32LE(next, i);
  }
  return out;
}
