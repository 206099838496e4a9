// Helpers for framework tests: frameworks with short timeouts and fast reconnects that are closed
// after each test, and a way to wait for a given connection state.
import { afterEach } from 'vitest';
import { ZooKeeperFramework, RetryNTimes, type ConnectionState, type FrameworkOptions } from '../../../framework/index.js';

/** Options every test framework uses unless it overrides them. */
export const FAST_FRAMEWORK: Omit<FrameworkOptions, 'connectString'> = {
  sessionTimeoutMs: 6000,
  connectionTimeoutMs: 5000,
  retryPolicy: new RetryNTimes({ n: 3, sleepMsBetweenRetries: 100 }),
  client: { reconnectDelayMs: 50, spinDelayMs: 200 },
};

/** Returns `open(connectString, options)` (started, connected); everything it opened is closed after each test. */
export function useFrameworks(): (connectString: string, options?: Omit<FrameworkOptions, 'connectString'>) => Promise<ZooKeeperFramework> {
  const open: ZooKeeperFramework[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((f) => f.close()));
  });
  return async (connectString, options = {}) => {
    const framework = ZooKeeperFramework.start({ ...FAST_FRAMEWORK, ...options, connectString });
    open.push(framework);
    if (!(await framework.blockUntilConnected(20_000))) throw new Error('test framework did not connect within 20 s');
    return framework;
  };
}

/** Resolves when `framework` next reports `state` (the replayed current state counts only if `includeCurrent`). */
export function nextConnectionState(framework: ZooKeeperFramework, state: ConnectionState, ms = 30_000, includeCurrent = false): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let replaying = !includeCurrent;
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`no ${state} within ${ms} ms (now ${framework.connectionState})`));
    }, ms);
    const sub = framework.connectionState$.subscribe((s) => {
      if (replaying || s !== state) return;
      clearTimeout(timer);
      queueMicrotask(() => sub.unsubscribe());
      resolve();
    });
    replaying = false;
  });
}
