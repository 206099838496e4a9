// The time source of the client: the current time and one-shot timers. Tests inject their own
// to drive ping and read-timeout logic deterministically. Counterpart: org.apache.zookeeper.common.Time.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
