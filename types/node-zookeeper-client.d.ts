// Minimal typings for the npm `node-zookeeper-client` (1.1.x, CommonJS, ships no types): what the
// interop tests and the client benchmark use. Longs (zxids, times, session ids) arrive as 8-byte Buffers.
declare module 'node-zookeeper-client' {
  namespace zookeeper {
    interface Stat {
      czxid: Buffer;
      mzxid: Buffer;
      ctime: Buffer;
      mtime: Buffer;
      version: number;
      cversion: number;
      aversion: number;
      ephemeralOwner: Buffer;
      dataLength: number;
      numChildren: number;
      pzxid: Buffer;
    }

    class Id {
      constructor(scheme: string, id: string);
      scheme: string;
      id: string;
      static ANYONE_ID_UNSAFE: Id;
      static AUTH_IDS: Id;
    }

    class ACL {
      constructor(permission: number, id: Id);
      permission: number;
      id: Id;
      static OPEN_ACL_UNSAFE: ACL[];
      static CREATOR_ALL_ACL: ACL[];
      static READ_ACL_UNSAFE: ACL[];
    }

    interface Event {
      type: number;
      name: string;
      path: string;
      getType(): number;
      getName(): string;
      getPath(): string;
    }

    interface State {
      name: string;
      code: number;
      getName(): string;
      getCode(): number;
    }

    interface Exception extends Error {
      code: number;
      name: string;
      path?: string;
      getCode(): number;
    }

    interface TransactionResult {
      type: number;
      err?: number;
      path?: string;
      stat?: Stat;
    }

    interface Transaction {
      create(path: string, data?: Buffer | null, acls?: ACL[], mode?: number): Transaction;
      check(path: string, version?: number): Transaction;
      setData(path: string, data: Buffer | null, version?: number): Transaction;
      remove(path: string, version?: number): Transaction;
      commit(callback: (error: Exception | null, results: TransactionResult[]) => void): void;
    }

    interface ClientOptions {
      sessionTimeout?: number;
      spinDelay?: number;
      retries?: number;
      sessionId?: Buffer;
      sessionPassword?: Buffer;
    }

    type Watcher = (event: Event) => void;

    interface Client {
      connect(): void;
      close(): void;
      getState(): State;
      getSessionId(): Buffer;
      getSessionPassword(): Buffer;
      getSessionTimeout(): number;
      addAuthInfo(scheme: string, auth: Buffer): void;
      create(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: (error: Exception | null, path: string) => void): void;
      remove(path: string, version: number, callback: (error: Exception | null) => void): void;
      setData(path: string, data: Buffer | null, version: number, callback: (error: Exception | null, stat: Stat) => void): void;
      getData(path: string, watcher: Watcher | undefined, callback: (error: Exception | null, data: Buffer | undefined, stat: Stat) => void): void;
      exists(path: string, watcher: Watcher | undefined, callback: (error: Exception | null, stat: Stat | null) => void): void;
      getChildren(path: string, watcher: Watcher | undefined, callback: (error: Exception | null, children: string[], stat: Stat) => void): void;
      setACL(path: string, acls: ACL[], version: number, callback: (error: Exception | null, stat: Stat) => void): void;
      getACL(path: string, callback: (error: Exception | null, acls: ACL[], stat: Stat) => void): void;
      transaction(): Transaction;
      on(event: 'state', listener: (state: State) => void): this;
      on(event: 'connected' | 'disconnected' | 'expired' | 'authenticationFailed', listener: () => void): this;
      once(event: 'state', listener: (state: State) => void): this;
      once(event: 'connected' | 'disconnected' | 'expired' | 'authenticationFailed', listener: () => void): this;
      removeListener(event: string, listener: (...args: never[]) => void): this;
    }
  }

  namespace zookeeper {
    function createClient(connectionString: string, options?: ClientOptions): Client;
    const Permission: { READ: 1; WRITE: 2; CREATE: 4; DELETE: 8; ADMIN: 16; ALL: 31 };
    const CreateMode: { PERSISTENT: 0; EPHEMERAL: 1; PERSISTENT_SEQUENTIAL: 2; EPHEMERAL_SEQUENTIAL: 3 };
    const Event: { NODE_CREATED: 1; NODE_DELETED: 2; NODE_DATA_CHANGED: 3; NODE_CHILDREN_CHANGED: 4 };
    const Exception: {
      OK: 0;
      RUNTIME_INCONSISTENCY: -2;
      CONNECTION_LOSS: -4;
      MARSHALLING_ERROR: -5;
      BAD_ARGUMENTS: -8;
      NO_NODE: -101;
      NO_AUTH: -102;
      BAD_VERSION: -103;
      NO_CHILDREN_FOR_EPHEMERALS: -108;
      NODE_EXISTS: -110;
      NOT_EMPTY: -111;
      SESSION_EXPIRED: -112;
      INVALID_ACL: -114;
      AUTH_FAILED: -115;
    };
  }
  export = zookeeper;
}
