// The linearizability checker and its ZooKeeper models, for the simulation (test/sim) and for
// chaos tests against real processes: build Operation records, pick a model, call
// checkLinearizable, and print `explain(...)` when it fails.

export type { CheckResult, Model, Operation, StepResult } from './history.js';
export { explain } from './history.js';
export { checkLinearizable, type CheckOptions } from './checker.js';
export {
  duplicateSequentialNames, sequentialNames, znodeRegister,
  type SequentialOutput, type ZnodeInput, type ZnodeOutput, type ZnodeState,
} from './znode-models.js';
