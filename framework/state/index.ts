// The connection-state stream and what recipes decide with it (Curator's framework.state package).
export { ConnectionState, isConnectedState } from './connection-state.js';
export {
  type ConnectionStateErrorPolicy, StandardConnectionStateErrorPolicy, SessionConnectionStateErrorPolicy,
} from './error-policy.js';
export { ConnectionStateManager, type ConnectionStateManagerOptions } from './connection-state-manager.js';
export { circuitBreaking, type CircuitBreakingOptions } from './circuit-breaking.js';
