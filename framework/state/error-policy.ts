// Which connection states a recipe must treat as "I may have lost what I held" (a lock, a
// leadership). Standard: SUSPENDED and LOST; session: only LOST (trust the session until the
// server or the timeout says it is gone). Counterpart: ConnectionStateErrorPolicy,
// StandardConnectionStateErrorPolicy, SessionConnectionStateErrorPolicy.

import { ConnectionState } from './connection-state.js';

export interface ConnectionStateErrorPolicy {
  isErrorState(state: ConnectionState): boolean;
}

export class StandardConnectionStateErrorPolicy implements ConnectionStateErrorPolicy {
  isErrorState(state: ConnectionState): boolean {
    return state === ConnectionState.SUSPENDED || state === ConnectionState.LOST;
  }
}

export class SessionConnectionStateErrorPolicy implements ConnectionStateErrorPolicy {
  isErrorState(state: ConnectionState): boolean {
    return state === ConnectionState.LOST;
  }
}
