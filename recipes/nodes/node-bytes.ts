// The data a recipe node is given: bytes or a UTF-8 string, normalized to a Buffer of its own.

export type NodeBytes = Buffer | Uint8Array | string;

/** A copy of `data` as a Buffer (empty when undefined). */
export function toBytes(data: NodeBytes | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.from(data);
}
