// The tsyringe module with real @injectable() application classes: registerZooKeeper makes one
// child container per ZooKeeper connection holding a started framework; classes get the
// framework (by class or token) and the state stream by constructor injection; nothing is
// registered in the parent; disposing the child closes the framework.
import 'reflect-metadata';
import { firstValueFrom, type Observable } from 'rxjs';
import { container as rootContainer, inject, injectable } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONNECTION_STATE_ERROR_POLICY, CONNECTION_STATES, ConnectionState, injectConnectionStates, injectFramework,
  registerZooKeeper, RETRY_POLICY, RetryNTimes, SessionConnectionStateErrorPolicy, ZOOKEEPER_CLIENT,
  ZOOKEEPER_FRAMEWORK, ZooKeeperClient, ZooKeeperFramework, type ConnectionStateErrorPolicy, type RetryPolicy,
} from '../../framework/index.js';
import { ZABKIT, type Backend } from '../client/support/backends.js';
import { uniquePath } from '../client/support/clients.js';
import { FAST_FRAMEWORK } from './support/frameworks.js';

/** An application service: the framework by its class, the states by token. */
@injectable()
class ConfigStore {
  constructor(
    readonly zk: ZooKeeperFramework,
    @inject(CONNECTION_STATES) readonly states$: Observable<ConnectionState>,
  ) {}

  async put(key: string, value: string): Promise<void> {
    await this.zk.create(`/config/${key}`, value, { creatingParentsIfNeeded: true, orSetData: true });
  }

  async get(key: string): Promise<string | undefined> {
    const stat = await this.zk.exists(`/config/${key}`);
    return stat ? (await this.zk.getData(`/config/${key}`)).data?.toString() : undefined;
  }
}

/** Another one using the parameter decorators and depending on ConfigStore. */
@injectable()
class HealthReport {
  constructor(
    @injectFramework() readonly zk: ZooKeeperFramework,
    @injectConnectionStates() readonly states$: Observable<ConnectionState>,
    readonly store: ConfigStore,
    @inject(RETRY_POLICY) readonly retryPolicy: RetryPolicy,
    @inject(CONNECTION_STATE_ERROR_POLICY) readonly errorPolicy: ConnectionStateErrorPolicy,
  ) {}

  async healthy(): Promise<boolean> {
    const state = await firstValueFrom(this.states$);
    return !this.zk.isErrorState(state);
  }
}

describe('registerZooKeeper (tsyringe)', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await ZABKIT.start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('wires a started framework and its state stream into @injectable classes; dispose closes it', async () => {
    const app = rootContainer.createChildContainer();
    const ns = uniquePath('di').slice(1);
    const retryPolicy = new RetryNTimes({ n: 2, sleepMsBetweenRetries: 10 });
    const errorPolicy = new SessionConnectionStateErrorPolicy();
    const zkScope = registerZooKeeper(app, {
      ...FAST_FRAMEWORK, connectString: backend.connectString, namespace: ns, retryPolicy, connectionStateErrorPolicy: errorPolicy,
    });
    const report = zkScope.resolve(HealthReport);
    const store = zkScope.resolve(ConfigStore);
    expect(report.zk).toBe(store.zk);
    expect(report.zk).toBe(zkScope.resolve(ZOOKEEPER_FRAMEWORK));
    expect(report.zk.lifecycle).toBe('started');
    expect(report.states$).toBe(report.zk.connectionState$);
    expect(report.retryPolicy).toBe(retryPolicy);
    expect(report.errorPolicy).toBe(errorPolicy);
    expect(await report.zk.blockUntilConnected(20_000)).toBe(true);
    expect(await firstValueFrom(store.states$)).toBe(ConnectionState.CONNECTED);
    expect(await report.healthy()).toBe(true);
    expect(zkScope.resolve<ZooKeeperClient>(ZOOKEEPER_CLIENT)).toBe(report.zk.client);

    await store.put('color', 'blue');
    expect(await report.store.get('color')).toBe('blue');
    expect(report.zk.fixForNamespace('/config/color')).toBe(`/${ns}/config/color`);

    // Nothing leaked into the parent (or the global root container).
    expect(app.isRegistered(ZOOKEEPER_FRAMEWORK)).toBe(false);
    expect(rootContainer.isRegistered(ZOOKEEPER_FRAMEWORK, true)).toBe(false);
    expect(() => app.resolve(HealthReport)).toThrow();

    let completed = false;
    report.states$.subscribe({ complete: () => (completed = true) });
    await zkScope.dispose();
    expect(report.zk.lifecycle).toBe('stopped');
    expect(completed).toBe(true);
  });

  it('each registration is its own child with its own session', async () => {
    const app = rootContainer.createChildContainer();
    const a = registerZooKeeper(app, { ...FAST_FRAMEWORK, connectString: backend.connectString, namespace: uniquePath('a').slice(1) });
    const b = registerZooKeeper(app, { ...FAST_FRAMEWORK, connectString: backend.connectString, namespace: uniquePath('b').slice(1) });
    try {
      const storeA = a.resolve(ConfigStore);
      const storeB = b.resolve(ConfigStore);
      expect(storeA.zk).not.toBe(storeB.zk);
      await Promise.all([storeA.zk.blockUntilConnected(20_000), storeB.zk.blockUntilConnected(20_000)]);
      expect(storeA.zk.client.sessionId).not.toBe(storeB.zk.client.sessionId);
      await storeA.put('k', 'from a');
      expect(await storeB.get('k')).toBeUndefined();
      // A grandchild container (per request, say) sees the same framework.
      expect(a.createChildContainer().resolve(ConfigStore).zk).toBe(storeA.zk);
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
    }
  });
});
