// @InjectConfig(path, options): a constructor parameter receives the config value at `path` as
// an Observable<T>, from the ConfigService of the container resolving the class.
// Counterpart: Spring's @Value / @ConfigurationProperties, made reactive.

import 'reflect-metadata';
import type { Observable } from 'rxjs';
import { injectable, injectWithTransform } from 'tsyringe';
import { CONFIG_SERVICE } from '../di/tokens.js';
import { configDecoder } from './config-decoding.js';
import { checkConfigPath, type ConfigService } from './config-service.js';
import type { ConfigValueOptions } from './config-value.js';

@injectable()
class ConfigValueTransform {
  transform(service: ConfigService, path: string, options: ConfigValueOptions<unknown>): Observable<unknown> {
    return service.value$(path, options);
  }
}

/**
 * Parameter decorator: inject `service.value$(path, options)` of the container's ConfigService
 * (registered by registerCoordination). Each injection is its own observable. The path and
 * options are checked when the class is defined.
 */
export function InjectConfig<T = unknown>(path: string, options: ConfigValueOptions<T> = {}): ParameterDecorator {
  checkConfigPath(path);
  configDecoder(options);
  return injectWithTransform(CONFIG_SERVICE, ConfigValueTransform, path, options) as ParameterDecorator;
}
