// A value together with where it came from: the mzxid and version of the node it was read from
// (or written to). trySetValue / trySetCount take one back, so "set only if nobody changed it
// since I read it" is one ZooKeeper setData against that version. Counterpart: Curator's
// org.apache.curator.framework.recipes.shared.VersionedValue.

export interface VersionedValue<T> {
  /** The node's mzxid when this value was read or written (-1n before the first read). */
  readonly zxid: bigint;
  /** The node's data version (-1 before the first read; ZooKeeper's int32 version wraps, so it is not monotonic). */
  readonly version: number;
  readonly value: T;
}

/** The same version with another representation of the value. */
export function mapVersionedValue<T, R>(v: VersionedValue<T>, f: (value: T) => R): VersionedValue<R> {
  return { zxid: v.zxid, version: v.version, value: f(v.value) };
}
