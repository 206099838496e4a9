// How a znode's bytes become a typed config value: parse (json, string, or a function) then
// validate (a function returning the value, or a Standard Schema object). Failures are returned
// as ConfigErrors, never thrown. Validation may be asynchronous (Standard Schema allows it).
// Counterpart: the deserializer a Curator user writes inside a NodeCache listener.

import { ConfigError } from './config-error.js';
import { isStandardSchema, type StandardResult, type StandardSchemaLike } from './standard-schema.js';

/** `json`: UTF-8 JSON (the default). `string`: the UTF-8 text. A function: your own parser (may throw). */
export type ConfigFormat = 'json' | 'string' | ((data: Buffer, path: string) => unknown);

/** A function that returns the checked (possibly transformed) value or throws, or a Standard Schema object. */
export type ConfigValidator<T> = ((value: unknown) => T) | StandardSchemaLike<T>;

export interface ConfigDecoding<T> {
  /** How to read the node's bytes. Default 'json'. */
  readonly parse?: ConfigFormat;
  /** Checks the parsed value; a value it refuses is reported and not used. Default: none (the parsed value is used as T). */
  readonly validate?: ConfigValidator<T>;
}

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ConfigError };

/** Decodes one read of the node at `path`. */
export type Decoder<T> = (path: string, data: Buffer, version: number) => Decoded<T> | Promise<Decoded<T>>;

function parser(format: ConfigFormat | undefined): (data: Buffer, path: string) => unknown {
  if (format === undefined || format === 'json') return (data) => JSON.parse(data.toString('utf8')) as unknown;
  if (format === 'string') return (data) => data.toString('utf8');
  if (typeof format === 'function') return format;
  throw new TypeError(`config parse must be 'json', 'string' or a function, got ${String(format)}`);
}

function fromStandard<T>(path: string, version: number, result: StandardResult<T>): Decoded<T> {
  if (result.issues) return { ok: false, error: new ConfigError(path, 'invalid', { version, issues: result.issues }) };
  return { ok: true, value: result.value };
}

/** The decoder for these options (checked at once: a wrong `parse` or `validate` is a TypeError here). */
export function configDecoder<T>(decoding: ConfigDecoding<T>): Decoder<T> {
  const parse = parser(decoding.parse);
  const validate = decoding.validate;
  if (validate !== undefined && typeof validate !== 'function' && !isStandardSchema(validate)) {
    throw new TypeError('config validate must be a function or a Standard Schema object');
  }
  return (path, data, version) => {
    let parsed: unknown;
    try {
      parsed = parse(data, path);
    } catch (cause) {
      return { ok: false, error: new ConfigError(path, 'unparsable', { version, cause }) };
    }
    if (validate === undefined) return { ok: true, value: parsed as T };
    if (typeof validate === 'function') {
      try {
        return { ok: true, value: validate(parsed) };
      } catch (cause) {
        return { ok: false, error: new ConfigError(path, 'invalid', { version, cause }) };
      }
    }
    let result: StandardResult<T> | Promise<StandardResult<T>>;
    try {
      result = validate['~standard'].validate(parsed);
    } catch (cause) {
      return { ok: false, error: new ConfigError(path, 'invalid', { version, cause }) };
    }
    if (result instanceof Promise) {
      return result.then(
        (r) => fromStandard(path, version, r),
        (cause: unknown) => ({ ok: false, error: new ConfigError(path, 'invalid', { version, cause }) }) as const,
      );
    }
    return fromStandard(path, version, result);
  };
}
