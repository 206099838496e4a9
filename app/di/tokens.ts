// Injection tokens of the app layer, next to framework/di's: the LockRegistry the lock
// decorators use, the ConfigService behind @InjectConfig, and the (internal) token through which
// a @Coordinated() instance learns which container built it.
// Counterpart: none in Curator (Spring users wire a LockRegistry bean by hand).

/** The container's LockRegistry (registerCoordination: ZooKeeper by default). @WithLock acquires through it. */
export const LOCK_REGISTRY = Symbol('zabkit.LockRegistry');
/** The container's ConfigService. @InjectConfig resolves it. */
export const CONFIG_SERVICE = Symbol('zabkit.ConfigService');
/** The options registerCoordination was called with. */
export const COORDINATION_OPTIONS = Symbol('zabkit.CoordinationOptions');
/** Resolves to the container doing the resolving: how a @Coordinated() instance finds its scope. Internal. */
export const RESOLVING_CONTAINER = Symbol('zabkit.ResolvingContainer');
