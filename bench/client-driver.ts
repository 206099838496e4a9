// What the client comparison needs from a ZooKeeper client library: open a session, getData and
// setData with a completion callback carrying the ZooKeeper error code (0 = ok), close. Each
// library is driven through its own public API (promises for ours, callbacks for
// node-zookeeper-client), so what is measured is the library as an application would use it.

/** The libraries compared, in table order: ours first. */
export const CLIENT_LIBRARIES = ['zabkit', 'node-zookeeper-client'] as const;
export type ClientLibrary = (typeof CLIENT_LIBRARIES)[number];

/** Called once per request with the ZooKeeper error code (0 = ok; -1 when the library gave none). */
export type Completion = (code: number) => void;

export interface ClientSession {
  getData(path: string, done: Completion): void;
  setData(path: string, data: Buffer, done: Completion): void;
  /** Ends the session and waits (bounded) until the library has let go of the connection. */
  close(): Promise<void>;
}

export interface ClientDriver {
  readonly library: ClientLibrary;
  /** The library's version, for the report. */
  readonly version: string;
  connect(connectString: string): Promise<ClientSession>;
}

/** The numeric ZooKeeper code an error carries (`code` in both libraries), or -1. */
export function errorCode(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code !== 0 ? code : -1;
}
