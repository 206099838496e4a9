// Shared helpers for the protocol/ unit tests: hex conversion and fast-check arbitraries that
// are derived from the jute schema of a record (so new records are covered automatically).

import fc from 'fast-check';
import * as S from '../../../protocol/jute/schema.js';
import * as R from '../../../protocol/records.js';
import type { Codec } from '../../../protocol/jute/schema.js';
import type { MultiOp, MultiResult } from '../../../protocol/multi.js';

/** Parses the hex notation used in protocol.md: whitespace and `|` separators are ignored. */
export function hex(text: string): Buffer {
  const clean = text.replace(/[\s|]/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`bad hex in test: ${text}`);
  return Buffer.from(clean, 'hex');
}

export function toHex(buf: Uint8Array): string {
  return Buffer.from(buf).toString('hex');
}

export const INT_MIN = -(2 ** 31);
export const INT_MAX = 2 ** 31 - 1;
export const LONG_MIN = -(2n ** 63n);
export const LONG_MAX = 2n ** 63n - 1n;

export const int32 = (): fc.Arbitrary<number> => fc.integer({ min: INT_MIN, max: INT_MAX });
export const int64 = (): fc.Arbitrary<bigint> => fc.bigInt({ min: LONG_MIN, max: LONG_MAX });

/** Any well-formed Unicode text (no lone surrogates, which UTF-8 cannot carry). */
export const text = (maxLength = 16): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength });

export const bytes = (maxLength = 32): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

export const nullableBytes = (maxLength = 32): fc.Arbitrary<Buffer | null> =>
  fc.option(bytes(maxLength), { nil: null, freq: 5 });

/** What a field's codec is, by identity with the schema primitives. */
export type FieldKind = 'int' | 'long' | 'bool' | 'buffer' | 'ustring' | 'ustring?' | 'record' | 'vector';

export function kindOf(codec: Codec<unknown>): FieldKind {
  if (codec === S.int) return 'int';
  if (codec === S.long) return 'long';
  if (codec === S.bool) return 'bool';
  if (codec === S.buffer) return 'buffer';
  if (codec === S.ustring || codec === S.ustringNullAsEmpty) return 'ustring';
  if (codec === S.nullableUstring) return 'ustring?';
  if ('fields' in codec) return 'record';
  return 'vector';
}

/**
 * Vector codecs carry no description of their element, so the element of each vector field is
 * named here (from zookeeper.jute). A vector field missing from this table fails the tests,
 * which is the point: a new record must be looked at.
 */
export const VECTOR_ITEMS: Record<string, Codec<any>> = {
  acl: R.ACL,
  children: S.ustring,
  dataWatches: S.ustring,
  existWatches: S.ustring,
  childWatches: S.ustring,
  persistentWatches: S.ustring,
  persistentRecursiveWatches: S.ustring,
  ephemerals: S.ustring,
  paths2Delete: S.ustring,
  clientInfo: R.ClientInfo,
  txns: R.Txn,
};

/** An arbitrary for any value a codec built from the schema combinators can carry. */
export function arbitraryFor(codec: Codec<any>, fieldName = '<top>'): fc.Arbitrary<any> {
  switch (kindOf(codec)) {
    case 'int': return int32();
    case 'long': return int64();
    case 'bool': return fc.boolean();
    case 'buffer': return nullableBytes();
    case 'ustring': return text();
    case 'ustring?': return fc.option(text(), { nil: null, freq: 5 });
    case 'record': {
      const fields = (codec as AnyRecordCodec).fields;
      const model: Record<string, fc.Arbitrary<any>> = {};
      for (const [name, c] of Object.entries(fields)) model[name] = arbitraryFor(c, name);
      return fc.record(model, { noNullPrototype: true });
    }
    case 'vector': {
      const item = codec === R.ACLList ? R.ACL : VECTOR_ITEMS[fieldName];
      if (!item) throw new Error(`test support: no element type known for vector field '${fieldName}'`);
      return fc.array(arbitraryFor(item, `${fieldName}[]`), { maxLength: 4 });
    }
  }
}

/** Every record codec exported by records.ts, by export name. */
export type AnyRecordCodec = S.RecordCodec<Record<string, Codec<any>>>;
export function recordExports(): [string, AnyRecordCodec][] {
  const out: [string, AnyRecordCodec][] = [];
  for (const [name, value] of Object.entries(R) as [string, unknown][]) {
    if (typeof value === 'object' && value !== null && 'fields' in value && 'encode' in value && 'decode' in value) {
      out.push([name, value as AnyRecordCodec]);
    }
  }
  return out;
}

export const statArb = (): fc.Arbitrary<R.Stat> => arbitraryFor(R.Stat);
export const aclListArb = (): fc.Arbitrary<R.ACL[]> => fc.array(arbitraryFor(R.ACL), { maxLength: 5 });

const NNP = { noNullPrototype: true } as const;

export const multiOpArb = (): fc.Arbitrary<MultiOp> => {
  const create = fc.record({ path: text(), data: nullableBytes(), acl: aclListArb(), flags: int32() }, NNP);
  return fc.oneof(
    fc.record({ type: fc.constantFrom(1 as const, 15 as const, 19 as const), request: create }, NNP),
    fc.record({
      type: fc.constant(21 as const),
      request: fc.record({ path: text(), data: nullableBytes(), acl: aclListArb(), flags: int32(), ttl: int64() }, NNP),
    }, NNP),
    fc.record({ type: fc.constant(2 as const), request: fc.record({ path: text(), version: int32() }, NNP) }, NNP),
    fc.record({ type: fc.constant(13 as const), request: fc.record({ path: text(), version: int32() }, NNP) }, NNP),
    fc.record({
      type: fc.constant(5 as const),
      request: fc.record({ path: text(), data: nullableBytes(), version: int32() }, NNP),
    }, NNP),
    fc.record({
      type: fc.constantFrom(4 as const, 8 as const),
      request: fc.record({ path: text(), watch: fc.boolean() }, NNP),
    }, NNP),
  );
};

export const multiResultArb = (): fc.Arbitrary<MultiResult> => fc.oneof(
  fc.record({ type: fc.constant(1 as const), path: text() }, NNP),
  fc.record({ type: fc.constant(15 as const), path: text(), stat: statArb() }, NNP),
  fc.constantFrom({ type: 2 as const }, { type: 13 as const }),
  fc.record({ type: fc.constant(5 as const), stat: statArb() }, NNP),
  fc.record({ type: fc.constant(8 as const), children: fc.array(text(), { maxLength: 4 }) }, NNP),
  fc.record({ type: fc.constant(4 as const), data: nullableBytes(), stat: statArb() }, NNP),
  fc.record({ type: fc.constant(-1 as const), err: int32() }, NNP),
);

