// ConfigError: a configuration zabkit refuses to start with (bad zoo.cfg value, bad flag,
// unreadable file, bad myid). The CLI prints its message and exits with code 2.
// Counterpart: QuorumPeerConfig.ConfigException (plus the IllegalArgumentExceptions it throws).

export interface ConfigErrorDetails {
  /** The offending key or flag, e.g. "clientPort" or "--port". */
  key?: string;
  /** The value as written. */
  value?: string;
  /** Where it was read: a file name, optionally with a 1-based line number. */
  source?: string;
  line?: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly key: string | undefined;
  readonly value: string | undefined;
  readonly source: string | undefined;
  readonly line: number | undefined;

  /** `message` is the bare reason; the location, when known, is prefixed ("zoo.cfg:3: ..."). */
  constructor(message: string, details: ConfigErrorDetails = {}) {
    super(withLocation(message, details.source, details.line));
    this.key = details.key;
    this.value = details.value;
    this.source = details.source;
    this.line = details.line;
  }
}

function withLocation(message: string, source: string | undefined, line: number | undefined): string {
  if (source === undefined) return line === undefined ? message : `line ${line}: ${message}`;
  return line === undefined ? `${source}: ${message}` : `${source}:${line}: ${message}`;
}
