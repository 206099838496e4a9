// zabkit/recipes: leader election, locks, barriers, queues, counters. Not written yet — they
// build on the framework; this entry point exists so the package's subpath is stable.
export {};
export * from './nodes/index.js';
export * from './barriers/index.js';
export * from './locks/index.js';
export * from './leader/index.js';
export * from './counters/index.js';
export * from './queues/index.js';
