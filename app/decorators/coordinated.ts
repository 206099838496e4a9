// @Coordinated(): lets instances of a tsyringe class know the container that built them, which
// is where @WithLock finds its LockRegistry and @LeaderOnly / @LeadershipHooks their framework —
// so there are no global singletons, and two containers (two ZooKeeper connections) never mix.
// It returns a subclass whose constructor takes one extra, hidden parameter: the resolving
// container, injected through RESOLVING_CONTAINER (registered by registerCoordination). The
// subclass is registered with tsyringe as @injectable() would, so @injectable() is optional
// next to it, in either order. Counterpart: Spring's AOP proxy around a bean.

import 'reflect-metadata';
import { inject, injectable, type DependencyContainer } from 'tsyringe';
import { RESOLVING_CONTAINER } from '../di/tokens.js';
import { electionsOf } from './class-plan.js';
import { NotCoordinatedError } from './errors.js';
import { InstanceScope } from './instance-scope.js';

// tsyringe keeps constructor @inject() tokens under this metadata key (tsyringe 4.x
// reflection-helpers); they are copied onto the subclass so its parameters resolve as before.
const TSYRINGE_INJECTION_TOKENS = 'injectionTokens';

type AnyClass = abstract new (...args: any[]) => object;
type ConcreteClass = new (...args: any[]) => object;

/** The subclasses made here. */
const COORDINATED = new WeakSet<Function>();
const SCOPES = new WeakMap<object, InstanceScope>();
/** The scopes with elections each container built, until they close. */
const ELECTING = new WeakMap<DependencyContainer, Set<InstanceScope>>();

function isContainer(x: unknown): x is DependencyContainer {
  return typeof x === 'object' && x !== null && typeof (x as DependencyContainer).resolve === 'function' && typeof (x as DependencyContainer).createChildContainer === 'function';
}

/** Class decorator: instances remember their container; the class's elections are joined when an instance is built. */
export function Coordinated(): <C extends AnyClass>(target: C) => C {
  return (target) => coordinate(target);
}

/** The coordinated subclass of `target` (`target` itself if it already is one). */
export function coordinate<C extends AnyClass>(target: C): C {
  if (COORDINATED.has(target)) return target;
  const paramTypes = (Reflect.getMetadata('design:paramtypes', target) as unknown[] | undefined) ?? [];
  const tokens = (Reflect.getOwnMetadata(TSYRINGE_INJECTION_TOKENS, target) as Record<string, unknown> | undefined) ?? {};
  const arity = Math.max(paramTypes.length, ...Object.keys(tokens).map((k) => Number(k) + 1));

  const Base = target as unknown as ConcreteClass;
  const Sub = class extends Base {
    constructor(...args: any[]) {
      const container: unknown = args[arity];
      super(...args.slice(0, arity));
      if (new.target !== Sub) return; // a coordinated subclass of this class binds the instance itself
      const elections = electionsOf(new.target);
      if (isContainer(container)) {
        const scope = new InstanceScope(container, this, elections, target.name);
        SCOPES.set(this, scope);
        if (elections.size > 0) trackElecting(container, scope);
      } else if (elections.size > 0) {
        throw new NotCoordinatedError(
          target.name,
          `it joins ${[...elections.keys()].join(', ')}, so it must be resolved from a tsyringe container prepared with registerCoordination(), not built with new`,
        );
      }
    }
  };
  Object.defineProperty(Sub, 'name', { value: target.name });
  Reflect.defineMetadata('design:paramtypes', [...Array.from({ length: arity }, (_, i) => paramTypes[i] ?? Object), Object], Sub);
  Reflect.defineMetadata(TSYRINGE_INJECTION_TOKENS, { ...tokens }, Sub);
  inject(RESOLVING_CONTAINER, { isOptional: true })(Sub, undefined, arity);
  injectable()(Sub);
  COORDINATED.add(Sub);
  if (electionsOf(Sub).size > 0) makeDisposable(Sub);
  return Sub as unknown as C;
}

/**
 * Gives a coordinated class a dispose() (what tsyringe calls on container.dispose()) that leaves
 * the instance's elections, then runs the class's own dispose() if it has one.
 */
export function makeDisposable(coordinated: Function): void {
  const proto = coordinated.prototype as { dispose?: () => Promise<void> };
  if (Object.hasOwn(proto, 'dispose')) return;
  const inherited = (Object.getPrototypeOf(proto) as { dispose?: () => unknown }).dispose;
  Object.defineProperty(proto, 'dispose', {
    configurable: true,
    writable: true,
    value: async function dispose(this: object): Promise<void> {
      await SCOPES.get(this)?.close();
      if (typeof inherited === 'function') await inherited.call(this);
    },
  });
}

function trackElecting(container: DependencyContainer, scope: InstanceScope): void {
  let scopes = ELECTING.get(container);
  if (!scopes) ELECTING.set(container, (scopes = new Set()));
  scopes.add(scope);
  void scope.whenClosed().then(() => scopes.delete(scope));
}

/**
 * Makes every instance `container` built leave its elections (what their dispose() would do
 * first), while the framework is still open; registerCoordination runs it before the container's
 * own disposal. Instances built by child containers are left to those containers.
 */
export async function leaveElectionsOf(container: DependencyContainer): Promise<void> {
  await Promise.all([...(ELECTING.get(container) ?? [])].map((scope) => scope.close()));
}

/** The scope of an instance, for a decorated member; throws NotCoordinatedError saying what is missing. */
export function scopeOf(instance: object, member: string): InstanceScope {
  const scope = SCOPES.get(instance);
  if (scope) return scope;
  const cls = (instance.constructor as Function | undefined)?.name ?? 'the class';
  if (!COORDINATED.has(instance.constructor)) {
    throw new NotCoordinatedError(member, `${cls} is not @Coordinated(): add @Coordinated() to the class so its instances know their container`);
  }
  throw new NotCoordinatedError(
    member,
    `this ${cls} was not built by a container prepared with registerCoordination(): resolve it from that container instead of calling new`,
  );
}
