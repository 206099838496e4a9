// Helpers for the node recipe tests: recipes registered here are closed after each test, so a
// failing test leaves no node keeping itself alive.
import { afterEach } from 'vitest';

export interface Closeable {
  close(): Promise<unknown>;
}

/** Returns `closing(recipe)`: the recipe, closed (errors ignored) after the current test. */
export function useClosing(): <T extends Closeable>(recipe: T) => T {
  const open: Closeable[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close().catch(() => undefined)));
  });
  return (recipe) => {
    open.push(recipe);
    return recipe;
  };
}
