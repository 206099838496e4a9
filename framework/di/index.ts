// Dependency injection with tsyringe: tokens, parameter decorators and registerZooKeeper.
export {
  ZOOKEEPER_FRAMEWORK, CONNECTION_STATES, ZOOKEEPER_CLIENT, RETRY_POLICY, CONNECTION_STATE_ERROR_POLICY, FRAMEWORK_OPTIONS,
  injectFramework, injectConnectionStates,
} from './tokens.js';
export { registerZooKeeper } from './register.js';
