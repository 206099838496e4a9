// The one error type of observable config: a znode's value that could not be used. It is
// reported on ConfigService.errors$ (never thrown into the subscriber); the subscriber keeps the
// last good value. Counterpart: none in Curator (a NodeCache listener parses and fails on its own);
// the role of Spring Cloud's "invalid property source" warnings.

/**
 * Why a config value could not be used.
 * - `unparsable`: the bytes are not what `parse` expects (bad JSON, a custom parser threw).
 * - `invalid`: parsed, but the validator refused it.
 * - `missing`: the node does not exist and no `default` was given.
 * - `unreadable`: ZooKeeper refused the read (NoAuth, ...); connection loss is never reported.
 */
export type ConfigErrorReason = 'unparsable' | 'invalid' | 'missing' | 'unreadable';

/** One problem found by a validator (Standard Schema's issue shape). */
export interface ConfigIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;
}

export interface ConfigErrorDetails {
  readonly cause?: unknown;
  /** The znode's data version the bad value was read at. */
  readonly version?: number;
  /** What a Standard Schema validator reported. */
  readonly issues?: readonly ConfigIssue[];
}

const REASONS: Record<ConfigErrorReason, string> = {
  unparsable: 'could not parse its value',
  invalid: 'its value was refused by the validator',
  missing: 'the node does not exist and there is no default',
  unreadable: 'could not read the node',
};

function issueText(issue: ConfigIssue): string {
  const at = (issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p)).join('.');
  return at ? `${at}: ${issue.message}` : issue.message;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly version: number | undefined;
  readonly issues: readonly ConfigIssue[];

  constructor(
    /** The znode the value came from. */
    readonly path: string,
    readonly reason: ConfigErrorReason,
    details: ConfigErrorDetails = {},
  ) {
    const version = details.version === undefined ? '' : ` (version ${details.version})`;
    const issues = details.issues ?? [];
    const why = issues.length > 0 ? issues.map(issueText).join('; ') : details.cause instanceof Error ? details.cause.message : undefined;
    super(`config ${path}${version}: ${REASONS[reason]}${why ? `: ${why}` : ''}`, { cause: details.cause });
    this.version = details.version;
    this.issues = issues;
  }
}
