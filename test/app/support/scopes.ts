// Containers for app-layer tests: each scope is registerZooKeeper (one framework, one session)
// plus registerCoordination, made from a fresh child of tsyringe's root container and disposed
// after each test.
import 'reflect-metadata';
import { container as root, type DependencyContainer } from 'tsyringe';
import { afterEach } from 'vitest';
import { registerZooKeeper, ZOOKEEPER_FRAMEWORK, type FrameworkOptions, type ZooKeeperFramework } from '../../../framework/index.js';
import { registerCoordination, type CoordinationOptions } from '../../../app/index.js';
import { FAST_FRAMEWORK } from '../../framework/support/frameworks.js';

export interface ScopeOptions {
  readonly framework?: Omit<FrameworkOptions, 'connectString'>;
  readonly coordination?: CoordinationOptions;
}

export function useScopes(): (connectString: string, options?: ScopeOptions) => Promise<DependencyContainer> {
  const open: DependencyContainer[] = [];
  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((c) => c.dispose()));
  });
  return async (connectString, options = {}) => {
    const scope = registerCoordination(
      registerZooKeeper(root.createChildContainer(), { ...FAST_FRAMEWORK, ...options.framework, connectString }),
      options.coordination,
    );
    open.push(scope);
    const zk = scope.resolve<ZooKeeperFramework>(ZOOKEEPER_FRAMEWORK);
    if (!(await zk.blockUntilConnected(20_000))) throw new Error('test scope did not connect within 20 s');
    return scope;
  };
}

export function frameworkOf(scope: DependencyContainer): ZooKeeperFramework {
  return scope.resolve<ZooKeeperFramework>(ZOOKEEPER_FRAMEWORK);
}

/** A promise with its resolve function, to hold a method open until the test lets it finish. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Polls `check` until it holds (generous default: the machine is slow and shared). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until the znode `path` has `n` children (contenders queued on a lock, say). */
export async function childrenReach(zk: ZooKeeperFramework, path: string, n: number): Promise<void> {
  await eventually(async () => (await zk.getChildren(path).catch(noNode)).length >= n, `${n} children under ${path}`);
}

function noNode(error: unknown): string[] {
  if ((error as { name?: string }).name === 'NoNodeError') return [];
  throw error;
}
