// The bytes of one queue node, in Curator's format, so Curator's DistributedQueue and zabkit's
// read each other's items: a 4-byte version 0x00010001, then per item the opcode 0x01, a 4-byte
// length and the item's serialized bytes, then the end opcode 0x02 (all big endian). One node
// may carry several items (putMulti); they are consumed in order.
// Counterpart: org.apache.curator.framework.recipes.queue.ItemSerializer.

import type { QueueSerializer } from './queue-serializer.js';

const VERSION = 0x00010001;
const ITEM_OPCODE = 0x01;
const EOF_OPCODE = 0x02;

/** The node bytes for `items` (at least one). */
export function serializeItems<T>(items: readonly T[], serializer: QueueSerializer<T>): Buffer {
  if (items.length === 0) throw new RangeError('a queue node carries at least one item');
  const parts: Buffer[] = [];
  const version = Buffer.alloc(4);
  version.writeInt32BE(VERSION);
  parts.push(version);
  for (const item of items) {
    const bytes = serializer.serialize(item);
    const header = Buffer.alloc(5);
    header.writeUInt8(ITEM_OPCODE, 0);
    header.writeInt32BE(bytes.length, 1);
    parts.push(header, bytes);
  }
  parts.push(Buffer.from([EOF_OPCODE]));
  return Buffer.concat(parts);
}

/** The items in node bytes; throws (RangeError) on anything not in the format. Bytes after the end opcode are ignored, as Curator does. */
export function deserializeItems<T>(bytes: Buffer, serializer: QueueSerializer<T>): T[] {
  const need = (offset: number, n: number): void => {
    if (offset + n > bytes.length) throw new RangeError(`queue item truncated at byte ${offset} (needs ${n} more of ${bytes.length})`);
  };
  need(0, 4);
  const version = bytes.readInt32BE(0);
  if (version !== VERSION) throw new RangeError(`queue item: incorrect version, expected ${VERSION}, found ${version}`);
  const items: T[] = [];
  for (let offset = 4; ; ) {
    need(offset, 1);
    const opcode = bytes.readInt8(offset);
    offset += 1;
    if (opcode === EOF_OPCODE) return items;
    if (opcode !== ITEM_OPCODE) throw new RangeError(`queue item: incorrect opcode, expected ${ITEM_OPCODE}, found ${opcode}`);
    need(offset, 4);
    const size = bytes.readInt32BE(offset);
    offset += 4;
    if (size < 0) throw new RangeError(`queue item: bad size ${size}`);
    need(offset, size);
    items.push(serializer.deserialize(bytes.subarray(offset, offset + size)));
    offset += size;
  }
}
