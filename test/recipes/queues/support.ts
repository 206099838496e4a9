// Helpers for the queue tests: a consumer that records what it got and can be held in the middle
// of an item (to crash its client there), and the onError sink every queue gets.
import type { QueueConsumer, QueueConsumerContext } from '../../../recipes/queues/index.js';

export interface RecordingConsumer<T> {
  readonly consume: QueueConsumer<T>;
  /** Items whose consumption finished, in order. */
  readonly done: T[];
  /** Items the consumer was handed (finished or not), in order. */
  readonly started: T[];
  /** While set, the consumer stops inside the next item until `release()`. */
  hold(): Promise<{ item: T; context: QueueConsumerContext }>;
  release(): void;
  /** Resolves once `n` items are done. */
  waitFor(n: number, ms?: number): Promise<void>;
}

export function recordingConsumer<T>(): RecordingConsumer<T> {
  const done: T[] = [];
  const started: T[] = [];
  let holding: { reached: (v: { item: T; context: QueueConsumerContext }) => void; released: Promise<void>; release: () => void } | undefined;
  const waiters: Array<() => void> = [];
  return {
    done,
    started,
    consume: async (item, context) => {
      started.push(item);
      const h = holding;
      if (h) {
        h.reached({ item, context });
        await h.released;
      }
      done.push(item);
      for (const w of waiters.splice(0)) w();
    },
    hold() {
      let reached!: (v: { item: T; context: QueueConsumerContext }) => void;
      const reachedP = new Promise<{ item: T; context: QueueConsumerContext }>((r) => (reached = r));
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      holding = { reached, released, release };
      return reachedP;
    },
    release() {
      const h = holding;
      holding = undefined;
      h?.release();
    },
    async waitFor(n, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (done.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`only ${done.length} of ${n} items consumed within ${ms} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
}

/** An onError that collects what it is told (tests assert on it instead of warnings). */
export function errorSink(): { readonly errors: Array<{ error: unknown; what: string }>; onError(error: unknown, what: string): void } {
  const errors: Array<{ error: unknown; what: string }> = [];
  return { errors, onError: (error, what) => errors.push({ error, what }) };
}
