// zoo.cfg → ServerOptions: the standalone keys zabkit honours, server.N lines and every other
// key ZooKeeper recognises kept raw for the ensemble, unknown keys warned about. Pure (no fs).
// Counterpart: QuorumPeerConfig.parseProperties / setupClientPort and QuorumPeer.QuorumServer.

import {
  DEFAULT_COMMIT_LOG_COUNT, DEFAULT_SNAPSHOT_SIZE_FACTOR, DEFAULT_TICK_TIME_MS, defaultServerOptions,
  type PeerRole, type QuorumServerSpec, type ServerOptions,
} from '../options.js';
import { ConfigError } from './config-error.js';
import { parseProperties } from './properties.js';
import {
  parseBoolean,
  parseFourLetterWords,
  parseHost,
  parseInteger,
  parsePort,
  validateServerOptions,
  where,
  type ValueContext,
} from './values.js';

export type { PeerRole, QuorumServerSpec };

export interface ZooCfg {
  /**
   * Only what the file sets. minSessionTimeout/maxSessionTimeout stay absent when not written
   * (or written as -1), so defaultServerOptions derives them from the final tickTime — which
   * may still be overridden, e.g. by `--tick-time`.
   */
  options: Partial<ServerOptions>;
  /** dataLogDir (ZooKeeper defaults it to dataDir); also in options.dataLogDir. */
  dataLogDir: string | undefined;
  /** server.N lines, by sid. */
  servers: QuorumServerSpec[];
  /** Every key of the file, trimmed, last value winning: initLimit, syncLimit, autopurge.*, ... */
  raw: ReadonlyMap<string, string>;
  /** Non-fatal findings (unknown keys, repeated keys, ignored four-letter words), one line each. */
  warnings: string[];
}

export interface ParseZooCfgOptions {
  /** The file name, used to prefix errors and warnings ("zoo.cfg:3: ..."). */
  source?: string;
}

type Handler = (value: string, ctx: ValueContext, out: ZooCfg) => void;

const SUPER_DIGEST_KEYS = [
  'superDigest',
  // zoo.cfg keys ZooKeeper does not know become "zookeeper." + key system properties, so this
  // is how a real zoo.cfg sets the super digest:
  'DigestAuthenticationProvider.superDigest',
  'zookeeper.DigestAuthenticationProvider.superDigest',
];

/** A decimal integer, or 0x-hex as Java's Integer.getInteger (system-property keys) allows. */
function parseSystemPropertyInteger(value: string, ctx: ValueContext, min: number): number {
  const hex = /^0[xX]([0-9a-fA-F]{1,13})$/.exec(value);
  if (hex?.[1] === undefined) return parseInteger(value, ctx, { min });
  const n = parseInt(hex[1], 16);
  if (n < min) {
    throw new ConfigError(`${ctx.key} '${value}' must be at least ${min}`, {
      key: ctx.key, value, source: ctx.source, line: ctx.line,
    });
  }
  return n;
}

function nonEmpty(value: string, ctx: ValueContext): string {
  if (value === '') {
    throw new ConfigError(`${ctx.key} must not be empty`, { key: ctx.key, value, source: ctx.source, line: ctx.line });
  }
  return value;
}

/** The standalone keys zabkit honours. */
const HONOURED: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['clientPort', (v, ctx, out) => void (out.options.port = parsePort(v, ctx))],
  ['clientPortAddress', (v, ctx, out) => void (out.options.host = parseHost(v, ctx))],
  ['tickTime', (v, ctx, out) => void (out.options.tickTimeMs = parseInteger(v, ctx, { min: 1 }))],
  ['minSessionTimeout', (v, ctx, out) => {
    const n = parseInteger(v, ctx, { min: -1 }); // -1 means "the default", as in ZooKeeper
    if (n !== -1) out.options.minSessionTimeoutMs = n;
  }],
  ['maxSessionTimeout', (v, ctx, out) => {
    const n = parseInteger(v, ctx, { min: -1 });
    if (n !== -1) out.options.maxSessionTimeoutMs = n;
  }],
  ['maxClientCnxns', (v, ctx, out) => void (out.options.maxClientCnxns = parseInteger(v, ctx, { min: 0 }))],
  ['4lw.commands.whitelist', (v, ctx, out) => {
    const { words, warnings } = parseFourLetterWords(v, ctx);
    out.options.fourLetterWords = words;
    out.warnings.push(...warnings);
  }],
  ['extendedTypesEnabled', (v, ctx, out) => void (out.options.extendedTypesEnabled = parseBoolean(v, ctx))],
  ['reconfigEnabled', (v, ctx, out) => void (out.options.reconfigEnabled = parseBoolean(v, ctx))],
  ['dataDir', (v, ctx, out) => void (out.options.dataDir = nonEmpty(v, ctx))],
  ['dataLogDir', (v, ctx, out) => void (out.dataLogDir = out.options.dataLogDir = nonEmpty(v, ctx))],
  ['snapCount', (v, ctx, out) => void (out.options.snapCount = parseSystemPropertyInteger(v, ctx, 2))],
  ['preAllocSize', (v, ctx, out) => void (out.options.preAllocSizeKb = parseSystemPropertyInteger(v, ctx, 1))],
  ['fsync.warningthresholdms', (v, ctx, out) => void (out.options.fsyncWarningThresholdMs = parseSystemPropertyInteger(v, ctx, 0))],
  ['autopurge.snapRetainCount', (v, ctx, out) => void (out.options.snapRetainCount = parseInteger(v, ctx, { min: 0 }))],
  ['autopurge.purgeInterval', (v, ctx, out) => void (out.options.purgeIntervalHours = parseInteger(v, ctx, { min: 0 }))],
  // ZKDatabase's rules: below 500 or unparsable, commitLogCount is 500; a snapshotSizeFactor
  // above 1 or unparsable is 0.33. Both with a warning, as ZooKeeper logs one.
  ['commitLogCount', (v, ctx, out) => {
    const n = /^[+-]?\d+$/.test(v) ? Number(v) : NaN;
    if (Number.isSafeInteger(n) && n >= DEFAULT_COMMIT_LOG_COUNT) return void (out.options.commitLogCount = n);
    out.warnings.push(`${where(ctx)}commitLogCount '${v}' is below ${DEFAULT_COMMIT_LOG_COUNT} or not an integer; using ${DEFAULT_COMMIT_LOG_COUNT}`);
  }],
  ['snapshotSizeFactor', (v, ctx, out) => {
    const f = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v) ? Number(v) : NaN;
    if (f <= 1) return void (out.options.snapshotSizeFactor = f);
    out.warnings.push(`${where(ctx)}snapshotSizeFactor '${v}' is above 1 or not a number; using ${DEFAULT_SNAPSHOT_SIZE_FACTOR}`);
  }],
  ['jute.maxbuffer', (v, ctx, out) => void (out.options.maxBufferBytes = parseSystemPropertyInteger(v, ctx, 1))],
  ['znode.container.checkIntervalMs', (v, ctx, out) => {
    out.options.containerCheckIntervalMs = parseSystemPropertyInteger(v, ctx, 1);
  }],
  ['znode.container.maxNeverUsedIntervalMs', (v, ctx, out) => {
    out.options.containerMaxNeverUsedIntervalMs = parseSystemPropertyInteger(v, ctx, 0);
  }],
  ...SUPER_DIGEST_KEYS.map((key): [string, Handler] => [key, (v, ctx, out) => {
    if (!/^[^:\s]+:\S+$/.test(v)) {
      throw new ConfigError(`${ctx.key} '${v}' is not of the form 'user:base64digest'`, {
        key: ctx.key, value: v, source: ctx.source, line: ctx.line,
      });
    }
    if (out.options.superDigest !== undefined && out.options.superDigest !== v) {
      out.warnings.push(`${where(ctx)}${ctx.key}: the super digest is set more than once; this value wins`);
    }
    out.options.superDigest = v;
  }]),
]);

const int = (min: number): Handler => (v, ctx) => void parseInteger(v, ctx, { min });
const bool: Handler = (v, ctx) => void parseBoolean(v, ctx);
const port: Handler = (v, ctx) => void parsePort(v, ctx);
const anything: Handler = () => {};

/**
 * Keys ZooKeeper recognises that a standalone zabkit does not use. They are kept in `raw`
 * without a warning; the ones QuorumPeerConfig parses strictly are checked the same way, so a
 * file ZooKeeper refuses is refused here too.
 */
const RECOGNISED: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  // QuorumPeerConfig.parseProperties
  ['initLimit', int(0)],
  ['syncLimit', int(0)],
  ['connectToLearnerMasterLimit', int(0)],
  ['electionAlg', (v, ctx) => {
    if (parseInteger(v, ctx) !== 3) {
      throw new ConfigError(`electionAlg '${v}' is not supported (only 3, fast leader election)`, {
        key: ctx.key, value: v, source: ctx.source, line: ctx.line,
      });
    }
  }],
  ['peerType', (v, ctx) => void parseRole(v, ctx)],
  ['secureClientPort', port],
  ['secureClientPortAddress', anything],
  ['observerMasterPort', port],
  ['clientPortListenBacklog', int(-1)],
  ['localSessionsEnabled', bool],
  ['localSessionsUpgradingEnabled', bool],
  ['quorumListenOnAllIPs', bool],
  ['syncEnabled', bool],
  ['dynamicConfigFile', anything],
  ['standaloneEnabled', bool],
  ['sslQuorum', bool],
  ['portUnification', bool],
  ['sslQuorumReloadCertFiles', bool],
  ['quorum.auth.enableSasl', bool],
  ['quorum.auth.serverRequireSasl', bool],
  ['quorum.auth.learnerRequireSasl', bool],
  ['quorum.auth.learner.saslLoginContext', anything],
  ['quorum.auth.server.saslLoginContext', anything],
  ['quorum.auth.kerberos.servicePrincipal', anything],
  ['quorum.cnxn.threads.size', int(0)],
  ['jvm.pause.info-threshold.ms', int(0)],
  ['jvm.pause.warn-threshold.ms', int(0)],
  ['jvm.pause.sleep.time.ms', int(0)],
  ['jvm.pause.monitor', bool],
  ['multiAddress.enabled', bool],
  ['multiAddress.reachabilityCheckTimeoutMs', int(0)],
  ['multiAddress.reachabilityCheckEnabled', bool],
  ['oraclePath', anything],
  // Well-known server settings that reach ZooKeeper as "zookeeper." + key system properties.
  ...[
    'snapSizeLimitInKb', 'txnLogSizeLimitInKb',
    'globalOutstandingLimit', 'forceSync', 'maxResponseCacheSize',
    'maxGetChildrenResponseCacheSize', 'traceFile', 'skipACL', 'leaderServes', 'cnxTimeout',
    'electionPortBindRetry', 'tcpKeepAlive', 'clientTcpKeepAlive', 'serverCnxnFactory', 'maxCnxns',
    'flushDelay', 'maxWriteQueuePollTime', 'maxBatchSize', 'throttledOpWaitTime',
    'advancedFlowControlEnabled', 'digest.enabled', 'enforceQuota', 'enforce.auth.enabled',
    'enforce.auth.schemes', 'sessionRequireClientSASLAuth', 'closeSessionTxn.enabled',
    'watchManagerName', 'watcherCleanThreadsNum', 'watcherCleanThreshold',
    'watcherCleanIntervalInSeconds', 'maxInProcessingDeadWatchers', 'emulate353TTLNodes',
    'serializeLastProcessedZxid.enabled', 'learner.asyncSending', 'learner.closeSocketAsync',
    'leader.closeSocketAsync', 'forward_learner_requests_to_commit_processor_disabled',
    'X509AuthenticationProvider.superUser', 'kerberos.removeHostFromPrincipal',
    'kerberos.removeRealmFromPrincipal', 'client.portUnification', 'jute.maxbuffer.extrasize',
    'version',
  ].map((key): [string, Handler] => [key, anything]),
]);

/** Families of keys recognised by prefix (ZooKeeper features and pass-through properties). */
const RECOGNISED_PREFIXES = [
  'metricsProvider.', 'admin.', 'ssl.', 'authProvider.', 'audit.', 'snapshot.', 'netty.',
  'fastleader.', 'messageTracker.', 'requestThrottle', 'connection_throttle_', 'group.', 'weight.',
];

/** Parse a zoo.cfg. Throws ConfigError on an invalid value; unknown keys only warn. */
export function parseZooCfg(text: string, opts: ParseZooCfgOptions = {}): ZooCfg {
  const source = opts.source;
  const out: ZooCfg = { options: {}, dataLogDir: undefined, servers: [], raw: new Map(), warnings: [] };
  const raw = out.raw as Map<string, string>;
  const lastSeen = new Map<string, { value: string; line: number }>();
  const serverKeyBySid = new Map<number, string>();

  for (const entry of parseProperties(text, source)) {
    // QuorumPeerConfig trims both sides.
    const key = entry.key.trim();
    const value = entry.value.trim();
    const ctx: ValueContext = { key, source, line: entry.line };
    if (key.startsWith('server.')) {
      const spec = parseServerLine(key, value, ctx, out.warnings);
      const other = serverKeyBySid.get(spec.sid);
      if (other !== undefined) {
        throw new ConfigError(`${key}: duplicate server id ${spec.sid} (also given by ${other})`, {
          key, value, source, line: entry.line,
        });
      }
      serverKeyBySid.set(spec.sid, key);
      out.servers.push(spec);
    } else {
      const previous = lastSeen.get(key);
      if (previous !== undefined && previous.value !== value) {
        out.warnings.push(
          `${where(ctx)}${key} is set more than once (line ${previous.line} and line ${entry.line}); the last value wins`,
        );
      }
      lastSeen.set(key, { value, line: entry.line });
    }
    raw.set(key, value);
  }
  out.servers.sort((a, b) => a.sid - b.sid);

  for (const [key, { value, line }] of lastSeen) {
    const ctx: ValueContext = { key, source, line };
    const handler = HONOURED.get(key) ?? RECOGNISED.get(key);
    if (handler !== undefined) handler(value, ctx, out);
    else if (!RECOGNISED_PREFIXES.some((p) => key.startsWith(p))) out.warnings.push(unknownKeyWarning(key, ctx));
  }

  checkSessionTimeouts(out.options, source, lastSeen);
  return out;
}

/** parseZooCfg, then ZooKeeper's defaults for everything the file leaves out, validated. */
export function serverOptionsFromZooCfg(text: string, opts: ParseZooCfgOptions = {}): ServerOptions {
  return toServerOptions(parseZooCfg(text, opts), opts.source);
}

/** The complete, validated ServerOptions for a parsed file. */
export function toServerOptions(cfg: ZooCfg, source?: string): ServerOptions {
  const options = defaultServerOptions(cfg.options);
  validateServerOptions(options, source);
  return options;
}

/**
 * What ZooKeeper does once it has read dataDir/myid (setupClientPort): the server's own
 * server.N line, if it has a `;clientPort` part, decides the client address, and a
 * clientPort/clientPortAddress in the file that disagrees with it is an error.
 */
export function applyMyid(cfg: ZooCfg, myid: number, source?: string): ZooCfg {
  const options: Partial<ServerOptions> = { ...cfg.options, serverId: myid };
  const own = cfg.servers.find((s) => s.sid === myid);
  if (own?.clientPort !== undefined) {
    const ownHost = own.clientHost ?? '0.0.0.0';
    const wildcard = options.host === undefined || options.host === '0.0.0.0' || options.host === '::';
    const portDiffers = options.port !== undefined && options.port !== own.clientPort;
    if (portDiffers || (!wildcard && options.host !== ownHost)) {
      const mine = `${options.host ?? '0.0.0.0'}:${options.port ?? '(unset)'}`;
      throw new ConfigError(
        `clientPortAddress/clientPort ${mine} disagrees with server.${myid}'s client address ${ownHost}:${own.clientPort}`,
        { key: 'clientPort', value: String(options.port ?? ''), source },
      );
    }
    options.port = own.clientPort;
    options.host = ownHost;
  }
  return { ...cfg, options };
}

function parseRole(value: string, ctx: ValueContext): PeerRole {
  const lower = value.toLowerCase();
  if (lower === 'participant' || lower === 'observer') return lower;
  throw new ConfigError(`${ctx.key} '${value}' is not a peer type (participant or observer)`, {
    key: ctx.key, value, source: ctx.source, line: ctx.line,
  });
}

const SERVER_FORMAT = 'host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]';

function parseServerLine(key: string, value: string, ctx: ValueContext, warnings: string[]): QuorumServerSpec {
  const badLine = (why: string): never => {
    throw new ConfigError(`${key} '${value}' ${why}`, { key, value, source: ctx.source, line: ctx.line });
  };
  const idText = key.slice('server.'.length);
  if (!/^\d+$/.test(idText)) {
    throw new ConfigError(`'${key}': the server id '${idText}' is not a non-negative integer`, {
      key, value, source: ctx.source, line: ctx.line,
    });
  }
  const sid = Number(idText);
  if (!Number.isSafeInteger(sid)) badLine('has a server id that is too large');

  const halves = value.split(';');
  if (halves.length > 2) badLine(`is not of the form ${SERVER_FORMAT}`);
  let serverPart = (halves[0] ?? '').trim();
  if (serverPart.includes('|')) {
    // ZooKeeper 3.6+ multiAddress: several addresses separated by '|'.
    warnings.push(`${where(ctx)}${key}: multiple addresses are not supported; using the first`);
    serverPart = (serverPart.split('|')[0] ?? '').trim();
  }
  const parts = splitHostAndPorts(serverPart);
  if (parts === undefined || parts.length < 3 || parts.length > 4) {
    return badLine(`is not of the form ${SERVER_FORMAT}`);
  }
  const [host, quorumPortText, electionPortText, roleText] = parts as [string, string, string, string?];
  if (host === '') badLine('has an empty host');
  const portCtx: ValueContext = { ...ctx, key };
  const spec: QuorumServerSpec = {
    sid,
    host,
    quorumPort: parsePort(quorumPortText, portCtx, false),
    electionPort: parsePort(electionPortText, portCtx, false),
    role: roleText === undefined ? 'participant' : parseRole(roleText, portCtx),
  };

  const clientPart = halves[1]?.trim();
  if (clientPart !== undefined) {
    const clientParts = splitHostAndPorts(clientPart);
    if (clientParts === undefined || clientParts.length < 1 || clientParts.length > 2) {
      return badLine(`has a client part '${clientPart}' that is not [clientHost:]clientPort`);
    }
    const clientPortText = clientParts[clientParts.length - 1] as string;
    spec.clientPort = parsePort(clientPortText, portCtx, false);
    if (clientParts.length === 2) {
      const clientHost = clientParts[0] as string;
      if (clientHost === '') badLine('has an empty client host');
      spec.clientHost = clientHost;
    }
  }
  return spec;
}

/** "host:a:b", "[v6::addr]:a:b" → [host, a, b]; undefined when a '[' has no closing "]:". */
function splitHostAndPorts(s: string): string[] | undefined {
  if (s.startsWith('[')) {
    const close = s.indexOf(']:');
    if (close < 0) return undefined;
    return [s.slice(1, close), ...s.slice(close + 2).split(':').map((p) => p.trim())];
  }
  return s.split(':').map((p) => p.trim());
}

const ALL_KNOWN_KEYS = [...HONOURED.keys(), ...RECOGNISED.keys()];

function unknownKeyWarning(key: string, ctx: ValueContext): string {
  const base = `${where(ctx)}unknown key '${key}' ignored`;
  const sameButCase = ALL_KNOWN_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
  if (sameButCase !== undefined) return `${base} (did you mean '${sameButCase}'?)`;
  if (key.startsWith('zookeeper.')) return `${base} (zoo.cfg keys are written without the 'zookeeper.' prefix)`;
  return base;
}

function checkSessionTimeouts(
  options: Partial<ServerOptions>,
  source: string | undefined,
  lastSeen: ReadonlyMap<string, { value: string; line: number }>,
): void {
  const tick = options.tickTimeMs ?? DEFAULT_TICK_TIME_MS;
  const min = options.minSessionTimeoutMs ?? 2 * tick;
  const max = options.maxSessionTimeoutMs ?? 20 * tick;
  if (min <= max) return;
  const explain = (name: string, value: number, written: number | undefined): string =>
    written === undefined ? `${name} (${value} ms, the default for tickTime=${tick})` : `${name} (${value} ms)`;
  throw new ConfigError(
    `${explain('minSessionTimeout', min, options.minSessionTimeoutMs)} must not be larger than ` +
      `${explain('maxSessionTimeout', max, options.maxSessionTimeoutMs)}`,
    {
      key: 'minSessionTimeout',
      value: String(min),
      source,
      line: lastSeen.get('minSessionTimeout')?.line ?? lastSeen.get('maxSessionTimeout')?.line,
    },
  );
}
