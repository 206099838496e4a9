// Schema combinators: one definition gives a record's encoder, decoder and TypeScript type.
// Field order in `record({...})` is the wire order, transcribed from zookeeper.jute.
// Counterpart: the classes jute generates from zookeeper.jute (org.apache.zookeeper.proto.*).

import { JuteReader } from './reader.js';
import { JuteWriter } from './writer.js';
import { JuteDecodeError } from './errors.js';

export interface Codec<T> {
  encode(w: JuteWriter, value: T): void;
  decode(r: JuteReader): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

export const int: Codec<number> = {
  encode: (w, v) => void w.int(v),
  decode: (r) => r.int(),
};

export const long: Codec<bigint> = {
  encode: (w, v) => void w.long(v),
  decode: (r) => r.long(),
};

export const bool: Codec<boolean> = {
  encode: (w, v) => void w.bool(v),
  decode: (r) => r.bool(),
};

/** `buffer`: bytes or null (length -1). Null and empty are distinct, as in ZooKeeper. */
export const buffer: Codec<Buffer | null> = {
  encode: (w, v) => void w.buffer(v),
  decode: (r) => r.buffer(),
};

/** `ustring` that may be null on the wire (length -1). */
export const nullableUstring: Codec<string | null> = {
  encode: (w, v) => void w.ustring(v),
  decode: (r) => r.ustringOrNull(),
};

/** `ustring` where null is not meaningful (paths, schemes): a null on the wire fails to decode. */
export const ustring: Codec<string> = {
  encode: (w, v) => void w.ustring(v),
  decode: (r) => {
    const s = r.ustringOrNull();
    if (s === null) throw new JuteDecodeError('unexpected null string');
    return s;
  },
};

/**
 * `ustring` read leniently: null (length -1) becomes "". For ACL ids, where kazoo writes ""
 * as null (CREATOR_ALL_ACL's `auth` id) and ZooKeeper accepts it.
 */
export const ustringNullAsEmpty: Codec<string> = {
  encode: (w, v) => void w.ustring(v),
  decode: (r) => r.ustringOrNull() ?? '',
};

/** `vector<T>`; a null vector (count -1) decodes as empty, and is never written. */
export function vector<T>(item: Codec<T>): Codec<T[]> {
  return {
    encode(w, v) {
      w.int(v.length);
      for (const x of v) item.encode(w, x);
    },
    decode(r) {
      const n = r.count('vector');
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(item.decode(r));
      return out;
    },
  };
}

type Fields = Record<string, Codec<any>>;
export type RecordOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

export interface RecordCodec<F extends Fields> extends Codec<RecordOf<F>> {
  readonly fields: F;
}

/**
 * A jute record: fields concatenated in declaration order, no tags, no length.
 *
 * Each record gets an encoder and a decoder of its own, generated from its field names, as jute
 * generates a class per record for Java. One generic loop shared by every record type makes
 * V8's property accesses megamorphic and builds each decoded value key by key; the generated
 * decoder returns one object literal, so every value of a type has one shape. The names are this
 * file's own constants (zookeeper.jute's field names), never input.
 */
export function record<F extends Fields>(fields: F): RecordCodec<F> {
  const names = Object.keys(fields);
  const codecs = names.map((name) => fields[name]!);
  const key = (name: string) => JSON.stringify(name);
  const encode = new Function('codecs', `return function encode(w, v) {
    ${names.map((name, i) => `codecs[${i}].encode(w, v[${key(name)}]);`).join(' ')}
  };`)(codecs) as (w: JuteWriter, v: RecordOf<F>) => void;
  const decode = new Function('codecs', `return function decode(r) {
    return { ${names.map((name, i) => `${key(name)}: codecs[${i}].decode(r)`).join(', ')} };
  };`)(codecs) as (r: JuteReader) => RecordOf<F>;
  return { fields, encode, decode };
}

/** A record with no fields (requests and responses that are header-only). */
export const empty: Codec<Record<string, never>> = {
  encode: () => undefined,
  decode: () => ({}),
};

/** Encodes a value alone (no frame) — for txn bodies, tests and digests. */
export function encodeToBuffer<T>(codec: Codec<T>, value: T, sizeHint = 128): Buffer {
  const w = new JuteWriter(sizeHint);
  codec.encode(w, value);
  return w.copy();
}

/** Decodes a whole buffer; trailing bytes are an error unless `allowTrailing`. */
export function decodeFromBuffer<T>(codec: Codec<T>, buf: Buffer, allowTrailing = false): T {
  const r = new JuteReader(buf);
  const v = codec.decode(r);
  if (!allowTrailing && r.remaining !== 0) throw new JuteDecodeError(`${r.remaining} trailing bytes`);
  return v;
}
