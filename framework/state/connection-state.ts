// The framework's view of its connection to ZooKeeper, as recipes need it. CONNECTED once, when
// the first connection is up; SUSPENDED when it is lost (the session may still be alive);
// RECONNECTED when a connection is up again (same session, or a new one after LOST); LOST when
// the session is gone (the server said it expired, or the session timeout passed while
// SUSPENDED); READ_ONLY when connected to a server cut off from its quorum.
// Counterpart: org.apache.curator.framework.state.ConnectionState.

export const ConnectionState = {
  CONNECTED: 'CONNECTED',
  SUSPENDED: 'SUSPENDED',
  RECONNECTED: 'RECONNECTED',
  LOST: 'LOST',
  READ_ONLY: 'READ_ONLY',
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

/** True for the states in which requests can be served: CONNECTED, RECONNECTED, READ_ONLY. */
export function isConnectedState(state: ConnectionState | undefined): boolean {
  return state === ConnectionState.CONNECTED || state === ConnectionState.RECONNECTED || state === ConnectionState.READ_ONLY;
}
