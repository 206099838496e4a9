// The vocabulary of client histories: one operation per request, with the time it was invoked
// and the time its answer arrived (or none, when the outcome is unknown: connection lost, node
// crashed, client gave up). Models say what each operation may do to the state of one key.
// Counterpart: Porcupine's Operation / Model (github.com/anishathalye/porcupine), redone here.

/** One request as a client saw it. Times are any monotonic clock shared by every client. */
export interface Operation<I, O> {
  /** Who issued it (for messages only: linearizability does not care about sessions). */
  readonly client: number;
  /** The partition the op belongs to (a znode path): keys are checked independently. */
  readonly key: string;
  readonly input: I;
  /** The answer; undefined when the outcome is unknown (the op may or may not have happened). */
  readonly output: O | undefined;
  readonly call: number;
  /** When the answer arrived; undefined = never (treated as "after everything else"). */
  readonly return: number | undefined;
}

/** What one step of the model allows. */
export interface StepResult<S> {
  readonly ok: boolean;
  readonly state: S;
}

/**
 * A sequential specification for the ops of one key. `step` must be deterministic; for an op
 * whose output is unknown it returns the state the op leads to if it takes effect (the checker
 * may always linearize such an op after everything else, which is "it never happened").
 */
export interface Model<S, I, O> {
  readonly name: string;
  init(key: string): S;
  step(state: S, input: I, output: O | undefined): StepResult<S>;
  /** A string equal for equal states, different otherwise (the memoization key). */
  stateKey(state: S): string;
  describe(input: I, output: O | undefined): string;
}

/** The verdict for a whole history. */
export type CheckResult<I, O> =
  | { readonly ok: true; readonly keys: number; readonly operations: number }
  | {
      readonly ok: false;
      /** The key whose ops admit no linearization. */
      readonly key: string;
      /** Every op of that key, in call order. */
      readonly operations: Operation<I, O>[];
      /** The longest order found that the model accepts, before the search got stuck. */
      readonly longestPrefix: Operation<I, O>[];
      /** True when the search budget ran out (no verdict), false when it is a proven violation. */
      readonly budgetExhausted: boolean;
    };

/** Renders a failing result for a test message: the key, its ops and how far the search got. */
export function explain<S, I, O>(model: Model<S, I, O>, result: CheckResult<I, O>): string {
  if (result.ok) return `linearizable: ${result.operations} ops over ${result.keys} keys`;
  const line = (op: Operation<I, O>) =>
    `  c${op.client} [${op.call} .. ${op.return ?? '?'}] ${model.describe(op.input, op.output)}`;
  const head = result.budgetExhausted
    ? `${model.name}: search budget exhausted on key ${result.key} (no verdict)`
    : `${model.name}: key ${result.key} is not linearizable`;
  return [
    head,
    `operations (${result.operations.length}, by call time):`,
    ...result.operations.map(line),
    `longest linearizable prefix found (${result.longestPrefix.length}):`,
    ...result.longestPrefix.map(line),
  ].join('\n');
}
