// Observable config: ConfigService (value$ / subtree$ / errors$ / stale$) and @InjectConfig.
export { ConfigService } from './config-service.js';
export { InjectConfig } from './inject-config.js';
export { ConfigError, type ConfigErrorReason, type ConfigIssue } from './config-error.js';
export { type ConfigFormat, type ConfigValidator, type ConfigDecoding } from './config-decoding.js';
export { type ConfigValueOptions } from './config-value.js';
export { type ConfigSubtreeOptions } from './config-subtree.js';
export { type StandardSchemaLike, type StandardResult } from './standard-schema.js';
