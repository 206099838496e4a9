// ConfigService: typed, observable config read from ZooKeeper — one znode as Observable<T>
// (NodeCache underneath) or a subtree as Observable<Map<key, T>> (TreeCache underneath). Bad
// values are reported on errors$ while subscribers keep the last good value; stale$ says when
// the values may lag behind ZooKeeper (connection SUSPENDED or LOST). One per ZooKeeper
// connection (registerCoordination puts one in the container). Counterpart: Curator's NodeCache /
// TreeCache plus the deserializing listener, Spring Cloud Zookeeper Config's property source.

import 'reflect-metadata';
import { defer, distinctUntilChanged, map, ReplaySubject, share, startWith, Subject, type Observable } from 'rxjs';
import { inject, injectable } from 'tsyringe';
import {
  BadArgumentsError, ConnectionState, NodeCache, TreeCache, ZOOKEEPER_FRAMEWORK, type ZooKeeperFramework,
} from '../../framework/index.js';
import { pathProblem } from '../../protocol/paths.js';
import { ConfigError } from './config-error.js';
import { configDecoder } from './config-decoding.js';
import { configSubtree, type ConfigSubtreeOptions } from './config-subtree.js';
import { configValue, type ConfigValueOptions } from './config-value.js';

/** Throws BadArgumentsError for a path ZooKeeper would refuse. */
export function checkConfigPath(path: string): void {
  const problem = pathProblem(path);
  if (problem !== undefined) throw new BadArgumentsError(path, { cause: new Error(`invalid config path "${path}": ${problem}`) });
}

/** One shared run per returned observable; late subscribers get the current value at once. */
function shareLatest<T>(): (source: Observable<T>) => Observable<T> {
  return share<T>({ connector: () => new ReplaySubject<T>(1), resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true });
}

@injectable()
export class ConfigService {
  /**
   * Every value that could not be used (unparsable, invalid, missing without a default,
   * unreadable), from every value$ and subtree$ of this service. Hot: subscribe early. While
   * nobody subscribes, the errors go to process.emitWarning instead.
   */
  readonly errors$: Observable<ConfigError>;
  /**
   * True while the connection is SUSPENDED or LOST (or not yet up): the values keep their last
   * state and may be behind ZooKeeper. False once CONNECTED / RECONNECTED; the caches then re-read
   * and emit whatever changed meanwhile. Replays the current answer to each subscriber.
   */
  readonly stale$: Observable<boolean>;
  private readonly errors = new Subject<ConfigError>();

  constructor(@inject(ZOOKEEPER_FRAMEWORK) private readonly framework: ZooKeeperFramework) {
    this.errors$ = this.errors.asObservable();
    const fresh = (state: ConnectionState | undefined): boolean =>
      state === ConnectionState.CONNECTED || state === ConnectionState.RECONNECTED;
    this.stale$ = defer(() =>
      framework.connectionState$.pipe(
        map((state) => !fresh(state)),
        startWith(!fresh(framework.connectionState)),
        distinctUntilChanged(),
      ),
    );
  }

  /**
   * The config value at `path`: emitted once known, then on every change to a different value.
   * Each call starts its own cache when first subscribed (shared by that observable's
   * subscribers, stopped when the last one leaves): call it once per value and share the result.
   * Completes when the framework closes. Throws BadArgumentsError for an invalid path and
   * TypeError for invalid options.
   */
  value$<T = unknown>(path: string, options: ConfigValueOptions<T> = {}): Observable<T> {
    checkConfigPath(path);
    configDecoder(options); // options checked now, not at the first value
    const cache = new NodeCache(this.framework, path, { onError: (error, at) => this.reportUnreadable(error, at) });
    return configValue(cache.data$, path, options, (e) => this.report(e)).pipe(shareLatest());
  }

  /**
   * The nodes below `path` that have data, decoded one by one, as a map keyed by the path relative
   * to `path` ('db', 'db/replica'), sorted; emitted after the first load and whenever the map
   * changes. An empty map while `path` does not exist. Same sharing and completion as value$.
   */
  subtree$<T = unknown>(path: string, options: ConfigSubtreeOptions<T> = {}): Observable<ReadonlyMap<string, T>> {
    checkConfigPath(path);
    configDecoder(options);
    const maxDepth = options.maxDepth;
    if (maxDepth !== undefined && !(Number.isInteger(maxDepth) && maxDepth >= 1)) {
      throw new RangeError(`subtree maxDepth must be an integer >= 1, got ${String(maxDepth)}`);
    }
    const cache = new TreeCache(this.framework, path, { maxDepth, onError: (error, at) => this.reportUnreadable(error, at) });
    return configSubtree(cache.snapshot$, path, options, (e) => this.report(e)).pipe(shareLatest());
  }

  /** Completes errors$ (called by the container's dispose()). The values complete when the framework closes. */
  dispose(): void {
    this.errors.complete();
  }

  private reportUnreadable(error: unknown, path: string): void {
    this.report(new ConfigError(path, 'unreadable', { cause: error }));
  }

  private report(error: ConfigError): void {
    if (this.errors.observed) this.errors.next(error);
    else process.emitWarning(error.message, 'ConfigWarning');
  }
}
