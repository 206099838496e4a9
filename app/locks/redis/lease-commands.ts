// What the Redis contender and holder need from a lock kind's Redis commands, bound to one key:
// take a lease for a token, renew it, give it back. Each kind (mutex-commands.ts,
// semaphore-commands.ts) implements them with its own key layout and Lua scripts.

/** Whose record a script found: this holder's, none, or another holder's (mutex only). */
export type KeyOwner = 'ours' | 'gone' | 'other';

export interface LeaseCommands {
  /** True if the lease was free and now belongs to `token` for the TTL. */
  tryAcquire(token: string): Promise<boolean>;
  /** Extends `token`'s lease by the TTL if it still holds one. */
  renew(token: string): Promise<KeyOwner>;
  /** Drops `token`'s lease if it still holds one. */
  release(token: string): Promise<KeyOwner>;
}

/** Our scripts answer 1 (ours, acted), -1 (no record of this holder) or 0 (another holder's). */
export function keyOwner(reply: unknown): KeyOwner {
  if (reply === 1) return 'ours';
  if (reply === -1) return 'gone';
  if (reply === 0) return 'other';
  throw new Error(`unexpected reply from a lock script: ${String(reply)}`);
}

export type ScriptCommand = (key: string, ...args: Array<string | number>) => Promise<unknown>;

/** Defines a one-key Lua command on an ioredis client (EVALSHA, falling back to EVAL) and returns it. */
export function defineScript(
  client: { defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void },
  name: string,
  lua: string,
): ScriptCommand {
  client.defineCommand(name, { numberOfKeys: 1, lua });
  const command = (client as unknown as Record<string, ScriptCommand | undefined>)[name];
  if (typeof command !== 'function') throw new Error(`ioredis did not define the ${name} script command`);
  return command.bind(client);
}
