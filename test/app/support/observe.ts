// Small observers for lock tests: watch a promise or a HeldLock's lost$ without awaiting them.
import type { HeldLock, LockLostError } from '../../../app/index.js';

export interface Tracked<T> {
  settled: boolean;
  value?: T;
  error?: unknown;
}

/** Records how `promise` settles, for assertions at any later point. */
export function track<T>(promise: Promise<T>): Tracked<T> {
  const box: Tracked<T> = { settled: false };
  promise.then(
    (value) => Object.assign(box, { settled: true, value }),
    (error: unknown) => Object.assign(box, { settled: true, error }),
  );
  return box;
}

/** Records what lost$ emits and whether it completed. */
export function lossOf(held: HeldLock): { error?: LockLostError; completed: boolean } {
  const seen: { error?: LockLostError; completed: boolean } = { completed: false };
  held.lost$.subscribe({ next: (error) => (seen.error = error), complete: () => (seen.completed = true) });
  return seen;
}
