// Value parsers shared by zoo.cfg and the CLI flags (integers, ports, booleans, hosts, the
// four-letter-word whitelist) and the cross-field check of a finished ServerOptions. Pure.
// Counterpart: the Integer.parseInt / parseBoolean calls and final checks in QuorumPeerConfig,
// FourLetterCommands.isEnabled (whitelist), EphemeralType.validateServerId.

import type { ServerOptions } from '../options.js';
import { ConfigError } from './config-error.js';
import { checkEnsemble } from './ensemble.js';

/** Where a value came from, for error messages: a zoo.cfg key or a CLI flag. */
export interface ValueContext {
  key: string;
  source?: string | undefined;
  line?: number | undefined;
}

function fail(ctx: ValueContext, value: string, reason: string): never {
  throw new ConfigError(`${ctx.key} '${value}' ${reason}`, {
    key: ctx.key,
    value,
    source: ctx.source,
    line: ctx.line,
  });
}

/** Java's Integer/Long.parseInt: an optional sign and decimal digits, nothing else. */
export function parseInteger(
  value: string,
  ctx: ValueContext,
  range: { min?: number; max?: number } = {},
): number {
  if (!/^[+-]?\d+$/.test(value)) fail(ctx, value, 'is not an integer');
  const n = Number(value);
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    if (range.max === undefined) fail(ctx, value, `must be at least ${min}`);
    if (range.min === undefined) fail(ctx, value, `must be at most ${max}`);
    fail(ctx, value, `must be between ${min} and ${max}`);
  }
  return n;
}

export const MAX_PORT = 65535;

/** A TCP port; 0 (pick a free port) only when `allowZero`. */
export function parsePort(value: string, ctx: ValueContext, allowZero = true): number {
  const min = allowZero ? 0 : 1;
  if (!/^\+?\d+$/.test(value)) fail(ctx, value, `is not a port number (${min}-${MAX_PORT})`);
  const n = Number(value);
  if (n < min || n > MAX_PORT) fail(ctx, value, `is not a port number (${min}-${MAX_PORT})`);
  return n;
}

/** Strict like QuorumPeerConfig.parseBoolean: "true" or "false" in any case. */
export function parseBoolean(value: string, ctx: ValueContext): boolean {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return fail(ctx, value, "is not a boolean (choose 'true' or 'false')");
}

/** A host name or address to bind; "[::1]" is accepted and unbracketed. */
export function parseHost(value: string, ctx: ValueContext): string {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (bare === '' || /[\s[\]]/.test(bare)) fail(ctx, value, 'is not a host name or address');
  return bare;
}

/** Every word some ZooKeeper release knows (FourLetterCommands; hash since 3.6, icfg/sysp later). */
export const FOUR_LETTER_WORDS: readonly string[] = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'hash', 'icfg', 'isro', 'mntr',
  'ruok', 'srst', 'srvr', 'stat', 'stmk', 'sysp', 'wchc', 'wchp', 'wchs',
];

/**
 * 4lw.commands.whitelist: comma-separated, trimmed; '*' anywhere enables all. As in
 * ZooKeeper, `srvr` is always enabled (zkServer.sh status relies on it). Unknown words are
 * dropped with a warning.
 */
export function parseFourLetterWords(
  value: string,
  ctx: ValueContext,
): { words: readonly string[] | '*'; warnings: string[] } {
  const items = value.split(',').map((w) => w.trim()).filter((w) => w !== '');
  if (items.includes('*')) return { words: '*', warnings: [] };
  const words = new Set<string>();
  const warnings: string[] = [];
  for (const item of items) {
    if (FOUR_LETTER_WORDS.includes(item)) words.add(item);
    else warnings.push(`${where(ctx)}${ctx.key}: unknown four-letter word '${item}' ignored`);
  }
  words.add('srvr');
  return { words: [...words].sort(), warnings };
}

/** "zoo.cfg:12: " / "zoo.cfg: " / "" — the prefix warnings carry. */
export function where(loc: { source?: string | undefined; line?: number | undefined }): string {
  if (loc.source === undefined) return loc.line === undefined ? '' : `line ${loc.line}: `;
  return loc.line === undefined ? `${loc.source}: ` : `${loc.source}:${loc.line}: `;
}

/** The largest server id when extendedTypesEnabled (TTL nodes use the id's byte). */
export const MAX_EXTENDED_SERVER_ID = 254;

/**
 * The checks that need the whole, defaulted picture: minSessionTimeout <= maxSessionTimeout,
 * the server-id limit with extended types, and sane ranges for every field (so options built
 * in code get the same treatment as zoo.cfg). Throws ConfigError naming the zoo.cfg key.
 */
export function validateServerOptions(o: ServerOptions, source?: string): void {
  const bad = (key: string, value: unknown, reason: string): never => {
    throw new ConfigError(`${key} '${String(value)}' ${reason}`, { key, value: String(value), source });
  };
  const int = (key: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      bad(key, value, max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`);
    }
  };
  if (o.host === '') bad('clientPortAddress', o.host, 'is not a host name or address');
  int('clientPort', o.port, 0, MAX_PORT);
  int('tickTime', o.tickTimeMs, 1);
  int('minSessionTimeout', o.minSessionTimeoutMs, 0);
  int('maxSessionTimeout', o.maxSessionTimeoutMs, 0);
  if (o.minSessionTimeoutMs > o.maxSessionTimeoutMs) {
    throw new ConfigError(
      `minSessionTimeout (${o.minSessionTimeoutMs} ms) must not be larger than maxSessionTimeout (${o.maxSessionTimeoutMs} ms)`,
      { key: 'minSessionTimeout', value: String(o.minSessionTimeoutMs), source },
    );
  }
  int('maxClientCnxns', o.maxClientCnxns, 0);
  int('jute.maxbuffer', o.maxBufferBytes, 1);
  int('znode.container.checkIntervalMs', o.containerCheckIntervalMs, 1);
  int('znode.container.maxNeverUsedIntervalMs', o.containerMaxNeverUsedIntervalMs, 0);
  int('myid', o.serverId, 0);
  if (o.extendedTypesEnabled && o.serverId > MAX_EXTENDED_SERVER_ID) {
    bad('myid', o.serverId, `must be at most ${MAX_EXTENDED_SERVER_ID} when extendedTypesEnabled is true`);
  }
  if (o.superDigest !== undefined && !/^[^:\s]+:\S+$/.test(o.superDigest)) {
    bad('superDigest', o.superDigest, "is not of the form 'user:base64digest'");
  }
  if (o.fourLetterWords !== '*') {
    for (const w of o.fourLetterWords) {
      if (!FOUR_LETTER_WORDS.includes(w)) bad('4lw.commands.whitelist', w, 'is not a four-letter word');
    }
  }
  if (o.quorum) {
    if (o.dataDir === undefined) {
      throw new ConfigError('dataDir must be set for an ensemble member (its txn log and epoch files live there)', { key: 'dataDir', source });
    }
    checkEnsemble(o, source);
  }
}
