// Runs a function that must throw a ConfigError and returns it, for the config and CLI tests.
import { expect } from 'vitest';
import { ConfigError } from '../../../../server/config/config-error.js';

export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
