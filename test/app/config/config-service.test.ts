// ConfigService and @InjectConfig against a live server (zabkit's, and Debian's Apache
// ZooKeeper 3.8): values as they are written, the last good value kept and the error on
// errors$, defaults for a missing node, late subscribers, subtrees, unreadable nodes — and the
// connection story: while SUSPENDED or after LOST the last values stay, stale$ says so, and the
// writes made meanwhile arrive once the connection (or a new session) is back.
import 'reflect-metadata';
import { firstValueFrom, type Observable } from 'rxjs';
import { inject, injectable } from 'tsyringe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATOR_ALL_ACL, ZooKeeperFramework } from '../../../framework/index.js';
import { killSession } from '../../../framework/testing/index.js';
import { CONFIG_SERVICE, ConfigError, ConfigService, InjectConfig, type StandardSchemaLike } from '../../../app/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { uniquePath } from '../../client/support/clients.js';
import { FAST_FRAMEWORK, useFrameworks } from '../../framework/support/frameworks.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { eventually, useScopes } from '../support/scopes.js';

/** Everything an observable emitted, and whether it completed. */
function collect<T>(source$: Observable<T>) {
  const values: T[] = [];
  let completed = false;
  const sub = source$.subscribe({ next: (v) => values.push(v), complete: () => (completed = true) });
  return {
    values,
    get completed() {
      return completed;
    },
    unsubscribe: () => sub.unsubscribe(),
    until: (check: (values: T[]) => boolean, what: string, ms?: number) => eventually(() => check(values), what, ms),
  };
}

interface Limits {
  readonly maxUploadMb: number;
}

/** A Standard Schema object written by hand (what zod / valibot objects provide). */
const limitsSchema: StandardSchemaLike<Limits> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate(value) {
      const mb = (value as { maxUploadMb?: unknown } | null)?.maxUploadMb;
      return typeof mb === 'number' && mb > 0 ? { value: { maxUploadMb: mb } } : { issues: [{ message: 'must be a positive number', path: ['maxUploadMb'] }] };
    },
  },
};

describe.each([ZABKIT, APACHE_STANDALONE])('ConfigService on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperFramework;
  const frameworks = useFrameworks();
  const scopes = useScopes();
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    backend = await spec.start();
    admin = ZooKeeperFramework.start({ ...FAST_FRAMEWORK, connectString: backend.connectString });
    if (!(await admin.blockUntilConnected(20_000))) throw new Error(`the admin framework did not connect to ${spec.name} within 20 s`);
  });
  afterEach(async () => {
    await Promise.allSettled(proxies.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });

  const write = (path: string, data: string): Promise<unknown> => admin.create(path, data, { creatingParentsIfNeeded: true, orSetData: true });

  it('value$: the value as written; a bad write keeps the last good one and is reported; equal values are not repeated', async () => {
    const service = new ConfigService(await frameworks(backend.connectString));
    const errors = collect(service.errors$);
    const path = `${uniquePath('config')}/limits`;
    await write(path, '{"maxUploadMb": 10}');
    const limits = collect(service.value$(path, { validate: limitsSchema }));
    await limits.until((v) => v.length === 1, 'the first value');
    await write(path, '{"maxUploadMb": -1}'); // refused by the schema
    await eventually(() => errors.values.length === 1, 'the error');
    await write(path, '{"maxUploadMb":10}'); // the same value again
    await write(path, 'not json');
    await eventually(() => errors.values.length === 2, 'the second error');
    await write(path, '{"maxUploadMb": 20}');
    await limits.until((v) => v.length === 2, 'the new value');
    expect(limits.values).toEqual([{ maxUploadMb: 10 }, { maxUploadMb: 20 }]);
    expect(errors.values.map((e) => [e.path, e.reason, e.version])).toEqual([[path, 'invalid', 1], [path, 'unparsable', 3]]);
    expect(errors.values[0]!.message).toBe(`config ${path} (version 1): its value was refused by the validator: maxUploadMb: must be a positive number`);
  });

  it('value$: a missing node gives the default (or an error without one); a late subscriber gets the current value at once', async () => {
    const service = new ConfigService(await frameworks(backend.connectString));
    const errors = collect(service.errors$);
    const path = `${uniquePath('config')}/feature`;
    const flag$ = service.value$(path, { default: false, validate: (v) => Boolean(v) });
    const flag = collect(flag$);
    await flag.until((v) => v.length === 1, 'the default');
    await write(path, 'true');
    await flag.until((v) => v.length === 2, 'the written value');
    expect(await firstValueFrom(flag$)).toBe(true); // replayed to a late subscriber
    await admin.delete(path);
    await flag.until((v) => v.length === 3, 'back to the default');
    expect(flag.values).toEqual([false, true, false]);

    const strict = collect(service.value$(`${path}-nodefault`, { parse: 'string' }));
    await eventually(() => errors.values.length === 1, 'the missing error');
    expect(errors.values[0]).toMatchObject({ reason: 'missing', path: `${path}-nodefault` });
    expect(strict.values).toEqual([]);
    expect(errors.values.length).toBe(1);
  });

  it('subtree$: every node with data below the path, keyed relative to it', async () => {
    const service = new ConfigService(await frameworks(backend.connectString));
    const root = uniquePath('config');
    await write(`${root}/db/primary`, '{"host":"db1"}');
    await write(`${root}/cache`, '{"ttl":60}');
    const tree = collect(service.subtree$<Record<string, unknown>>(root));
    await tree.until((v) => v.length === 1, 'the first map');
    expect(Object.fromEntries(tree.values[0]!)).toEqual({ cache: { ttl: 60 }, 'db/primary': { host: 'db1' } });
    await write(`${root}/db/replica`, '{"host":"db2"}');
    await tree.until((v) => v.length === 2, 'the new node');
    await admin.delete(`${root}/cache`);
    await tree.until((v) => v.length === 3, 'the removal');
    expect(Object.fromEntries(tree.values[2]!)).toEqual({ 'db/primary': { host: 'db1' }, 'db/replica': { host: 'db2' } });
    const shallow = collect(service.subtree$(root, { maxDepth: 1 }));
    await shallow.until((v) => v.length === 1, 'the shallow map');
    expect([...shallow.values[0]!.keys()]).toEqual([]); // db has no data; its children are two levels down
    expect(() => service.subtree$(root, { maxDepth: 0 })).toThrow(RangeError);
    expect(() => service.value$('no-slash')).toThrow();
  });

  it('a node the session may not read is reported as unreadable', async () => {
    const owner = await frameworks(backend.connectString, { authorization: [{ scheme: 'digest', auth: 'ops:secret' }] });
    const path = `${uniquePath('config')}-secret`;
    await owner.create(path, '{"key":"s3cr3t"}', { acl: CREATOR_ALL_ACL });
    const service = new ConfigService(await frameworks(backend.connectString));
    const errors = collect(service.errors$);
    const secret = collect(service.value$(path));
    await eventually(() => errors.values.length >= 1, 'the unreadable error');
    expect(errors.values[0]).toMatchObject({ path, reason: 'unreadable' });
    expect((errors.values[0]!.cause as Error).name).toBe('NoAuthError');
    expect(secret.values).toEqual([]);
  });

  it('SUSPENDED: the last value stays and stale$ is true; a write made meanwhile arrives once reconnected', async () => {
    const proxy = await startTcpProxy({ port: backend.servers[0]!.port });
    proxies.push(proxy);
    const service = new ConfigService(await frameworks(proxy.connectString));
    const errors = collect(service.errors$);
    const stale = collect(service.stale$);
    const path = `${uniquePath('config')}/mode`;
    await write(path, '"blue"');
    const mode = collect(service.value$(path));
    await mode.until((v) => v.length === 1, 'the first value');
    proxy.refuse(true);
    proxy.dropConnections();
    await stale.until((v) => v.at(-1) === true, 'stale');
    await write(path, '"green"');
    expect(mode.values).toEqual(['blue']);
    proxy.refuse(false);
    await mode.until((v) => v.length === 2, 'the write made while disconnected');
    await stale.until((v) => v.at(-1) === false, 'fresh again');
    expect(mode.values).toEqual(['blue', 'green']);
    expect(stale.values).toEqual([false, true, false]);
    expect(errors.values).toEqual([]);
  });

  it('LOST: the last value stays through the new session, then the write made meanwhile arrives (once)', async () => {
    const proxy = await startTcpProxy({ port: backend.servers[0]!.port });
    proxies.push(proxy);
    const zk = await frameworks(proxy.connectString);
    const service = new ConfigService(zk);
    const errors = collect(service.errors$);
    const stale = collect(service.stale$);
    const path = `${uniquePath('config')}/mode`;
    await write(path, '"blue"');
    const mode = collect(service.value$(path));
    await mode.until((v) => v.length === 1, 'the first value');
    const states = collect(zk.connectionState$);
    // Keep the client out, expire its session from elsewhere, change the value, let it back in.
    proxy.refuse(true);
    proxy.dropConnections();
    await killSession(zk.client, backend.connectString);
    await write(path, '"green"');
    proxy.refuse(false);
    await mode.until((v) => v.length === 2, 'the value after the new session', 40_000);
    await stale.until((v) => v.at(-1) === false, 'fresh again');
    expect(states.values).toContain('LOST');
    expect(mode.values).toEqual(['blue', 'green']);
    expect(errors.values).toEqual([]);
  });

  it('values complete when the framework closes', async () => {
    const zk = await frameworks(backend.connectString);
    const service = new ConfigService(zk);
    const path = uniquePath('config');
    await write(path, '1');
    const value = collect(service.value$(path));
    await value.until((v) => v.length === 1, 'the value');
    await zk.close();
    await eventually(() => value.completed, 'completion');
  });

  it('@InjectConfig: a constructor parameter receives the container’s value$; CONFIG_SERVICE reports its errors', async () => {
    const path = `${uniquePath('config')}/limits`;

    @injectable()
    class UploadController {
      constructor(
        @InjectConfig(path, { validate: limitsSchema, default: { maxUploadMb: 5 } }) readonly limits$: Observable<Limits>,
        @inject(CONFIG_SERVICE) readonly config: ConfigService,
      ) {}
    }

    const scope = await scopes(backend.connectString);
    const controller = scope.resolve(UploadController);
    expect(scope.resolve(ConfigService)).toBe(controller.config);
    const errors = collect(controller.config.errors$);
    const limits = collect(controller.limits$);
    await limits.until((v) => v.length === 1, 'the default');
    await write(path, '{"maxUploadMb": 0}');
    await eventually(() => errors.values.length === 1, 'the error');
    await write(path, '{"maxUploadMb": 50}');
    await limits.until((v) => v.length === 2, 'the value');
    expect(limits.values).toEqual([{ maxUploadMb: 5 }, { maxUploadMb: 50 }]);
    expect(errors.values[0]).toBeInstanceOf(ConfigError);
    expect(() => InjectConfig('relative/path')).toThrow();
    expect(() => InjectConfig('/x', { parse: 'xml' as never })).toThrow(TypeError);
    await scope.dispose();
    expect(errors.completed).toBe(true);
  });
});
