// The app layer's tsyringe wiring: registerCoordination and its tokens.
export { registerCoordination, type CoordinationOptions } from './register-coordination.js';
export { LOCK_REGISTRY, CONFIG_SERVICE, COORDINATION_OPTIONS } from './tokens.js';
