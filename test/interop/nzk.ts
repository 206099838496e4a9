// Promise wrapper around the npm `node-zookeeper-client` for interop tests: bounded connect and
// close, async CRUD, and watchers that resolve a promise on their first event.
import zookeeper from 'node-zookeeper-client';

export { zookeeper };
export type NzkStat = zookeeper.Stat;
export type NzkEvent = zookeeper.Event;

/** A long carried as an 8-byte big-endian Buffer → bigint. */
export const long = (b: Buffer): bigint => b.readBigInt64BE(0);

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** A watcher plus the promise of its (first) event. */
export interface WatchProbe {
  watcher: zookeeper.Watcher;
  event: Promise<NzkEvent>;
  fired(): boolean;
}

export function watchProbe(): WatchProbe {
  let resolve!: (e: NzkEvent) => void;
  let done = false;
  const event = new Promise<NzkEvent>((r) => (resolve = r));
  return {
    watcher: (e) => {
      done = true;
      resolve(e);
    },
    event,
    fired: () => done,
  };
}

/** Rejects with the client's Exception; `code` is the ZooKeeper error code. */
function cb<T>(resolve: (v: T) => void, reject: (e: unknown) => void) {
  return (err: zookeeper.Exception | null, v: T) => (err ? reject(err) : resolve(v));
}

export class Nzk {
  constructor(readonly raw: zookeeper.Client) {}

  get sessionId(): bigint {
    return long(this.raw.getSessionId());
  }

  create(path: string, data: Buffer | null = null, mode: number = zookeeper.CreateMode.PERSISTENT, acls = zookeeper.ACL.OPEN_ACL_UNSAFE): Promise<string> {
    return new Promise((res, rej) => this.raw.create(path, data, acls, mode, cb(res, rej)));
  }

  remove(path: string, version = -1): Promise<void> {
    return new Promise((res, rej) => this.raw.remove(path, version, (err) => (err ? rej(err) : res())));
  }

  setData(path: string, data: Buffer | null, version = -1): Promise<NzkStat> {
    return new Promise((res, rej) => this.raw.setData(path, data, version, cb(res, rej)));
  }

  getData(path: string, watcher?: zookeeper.Watcher): Promise<{ data: Buffer | undefined; stat: NzkStat }> {
    return new Promise((res, rej) =>
      this.raw.getData(path, watcher, (err, data, stat) => (err ? rej(err) : res({ data, stat }))),
    );
  }

  exists(path: string, watcher?: zookeeper.Watcher): Promise<NzkStat | null> {
    return new Promise((res, rej) => this.raw.exists(path, watcher, cb(res, rej)));
  }

  getChildren(path: string, watcher?: zookeeper.Watcher): Promise<{ children: string[]; stat: NzkStat }> {
    return new Promise((res, rej) =>
      this.raw.getChildren(path, watcher, (err, children, stat) => (err ? rej(err) : res({ children, stat }))),
    );
  }

  setACL(path: string, acls: zookeeper.ACL[], version = -1): Promise<NzkStat> {
    return new Promise((res, rej) => this.raw.setACL(path, acls, version, cb(res, rej)));
  }

  getACL(path: string): Promise<{ acls: zookeeper.ACL[]; stat: NzkStat }> {
    return new Promise((res, rej) => this.raw.getACL(path, (err, acls, stat) => (err ? rej(err) : res({ acls, stat }))));
  }

  commit(tx: zookeeper.Transaction): Promise<{ error: zookeeper.Exception | null; results: zookeeper.TransactionResult[] }> {
    return new Promise((res) => tx.commit((error, results) => res({ error, results })));
  }

  /** Sends closeSession and waits until the client has seen the connection go away. */
  async close(timeoutMs = 5000): Promise<void> {
    const gone = new Promise<void>((resolve) => {
      this.raw.on('state', (s) => {
        if (s.getCode() === 0 || s.getName() === 'DISCONNECTED') resolve();
      });
    });
    this.raw.close();
    await withTimeout(gone, timeoutMs, 'node-zookeeper-client close');
  }
}

/** Connects a node-zookeeper-client; rejects if not connected within `timeoutMs`. */
export async function connectNzk(connectString: string, options: zookeeper.ClientOptions = {}, timeoutMs = 10_000): Promise<Nzk> {
  const raw = zookeeper.createClient(connectString, { sessionTimeout: 10_000, spinDelay: 200, retries: 0, ...options });
  const connected = new Promise<void>((resolve, reject) => {
    raw.once('connected', () => resolve());
    raw.once('expired', () => reject(new Error('session expired while connecting')));
    raw.once('authenticationFailed', () => reject(new Error('authentication failed while connecting')));
  });
  raw.connect();
  try {
    await withTimeout(connected, timeoutMs, `connect to ${connectString}`);
  } catch (e) {
    raw.close();
    throw e;
  }
  return new Nzk(raw);
}

/** The error code a rejected promise carried (node-zookeeper-client Exception.code), or 'ok'. */
export async function codeOf(p: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw e;
  }
}
