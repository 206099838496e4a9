// zabkit/framework caches: NodeCache, PathChildrenCache and TreeCache as RxJS observables.
// Counterpart: Curator's framework.recipes.cache package.
export { NodeCache, type NodeCacheOptions } from './node-cache.js';
export { PathChildrenCache, type PathChildrenCacheOptions } from './path-children-cache.js';
export { TreeCache, type TreeCacheOptions } from './tree-cache.js';
export { type CacheSelector } from './cache-scope.js';
export { type CommonCacheOptions, type Decompressor } from './cache-options.js';
export {
  type ChildData, type CacheEvent, type NodeChange, type NodeAdded, type NodeUpdated, type NodeRemoved, type CacheInitialized,
} from './child-data.js';
export { type CacheSource, type CacheConnectionState, type CacheOwner, clientCacheSource } from './cache-source.js';
export { frameworkCacheSource, type FrameworkLike } from './framework-cache-source.js';
