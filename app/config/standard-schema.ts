// The part of the Standard Schema v1 interface (standardschema.dev) a config validator needs, so
// zod, valibot, arktype and other schema objects validate config without zabkit depending on any
// of them. Counterpart: @standard-schema/spec's StandardSchemaV1 (transcribed as a structural type).

import type { ConfigIssue } from './config-error.js';

export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly ConfigIssue[] };

/** Any object with a Standard Schema v1 `~standard` property. */
export interface StandardSchemaLike<Output = unknown> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  };
}

export function isStandardSchema(x: unknown): x is StandardSchemaLike {
  if ((typeof x !== 'object' && typeof x !== 'function') || x === null || !('~standard' in x)) return false;
  const spec = (x as { '~standard': unknown })['~standard'];
  return typeof spec === 'object' && spec !== null && typeof (spec as { validate?: unknown }).validate === 'function';
}
