// Fault injection for an ioredis client in unit tests: a Proxy that, per command name, lets
// calls through, fails them, leaves them unanswered, or holds their replies until deliver().
import type { Redis } from 'ioredis';

type Fault = { mode: 'fail'; error: Error } | { mode: 'hang' } | { mode: 'hold' };

export interface FaultyRedis {
  /** Use this wherever the code under test wants a client. */
  readonly client: Redis;
  /** Calls of `command` reject with `error`. */
  fail(command: string, error?: Error): void;
  /** Calls of `command` never settle. */
  hang(command: string): void;
  /** Calls of `command` run on the server, but their replies wait for deliver(). */
  hold(command: string): void;
  /** Hands every held reply to its caller. */
  deliver(): void;
  /** Removes all faults (held replies still wait for deliver()). */
  heal(): void;
  /** How many calls of `command` were made through the proxy. */
  calls(command: string): number;
}

export function withFaults(target: Redis): FaultyRedis {
  const faults = new Map<string, Fault>();
  const held: Array<() => void> = [];
  const counts = new Map<string, number>();
  const client = new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        counts.set(prop, (counts.get(prop) ?? 0) + 1);
        const fault = faults.get(prop);
        if (fault?.mode === 'fail') return Promise.reject(fault.error);
        if (fault?.mode === 'hang') return new Promise(() => undefined);
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (fault?.mode !== 'hold') return result;
        return new Promise((resolve, reject) => {
          held.push(() => Promise.resolve(result).then(resolve, reject));
        });
      };
    },
  });
  return {
    client,
    fail: (command, error = new Error(`injected failure of ${command}`)) => void faults.set(command, { mode: 'fail', error }),
    hang: (command) => void faults.set(command, { mode: 'hang' }),
    hold: (command) => void faults.set(command, { mode: 'hold' }),
    deliver: () => {
      for (const release of held.splice(0)) release();
    },
    heal: () => faults.clear(),
    calls: (command) => counts.get(command) ?? 0,
  };
}
