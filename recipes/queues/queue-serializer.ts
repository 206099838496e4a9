// How a queue turns items into bytes and back. Java services sharing a queue with Curator must
// use a serializer producing the same bytes (e.g. UTF-8 strings on both sides).
// Counterpart: org.apache.curator.framework.recipes.queue.QueueSerializer.

export interface QueueSerializer<T> {
  serialize(item: T): Buffer;
  deserialize(bytes: Buffer): T;
}

/** Items are raw bytes. */
export const bytesSerializer: QueueSerializer<Buffer> = {
  serialize: (item) => Buffer.from(item),
  deserialize: (bytes) => Buffer.from(bytes),
};

/** Items are strings, as UTF-8. */
export const stringSerializer: QueueSerializer<string> = {
  serialize: (item) => Buffer.from(item, 'utf8'),
  deserialize: (bytes) => bytes.toString('utf8'),
};

/** Items are JSON values, as UTF-8 JSON text. */
export function jsonSerializer<T>(): QueueSerializer<T> {
  return {
    serialize: (item) => Buffer.from(JSON.stringify(item), 'utf8'),
    deserialize: (bytes) => JSON.parse(bytes.toString('utf8')) as T,
  };
}
