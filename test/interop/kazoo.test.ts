// python3-kazoo 2.8 (Debian) against zabkit: CRUD, DataWatch/ChildrenWatch, transactions, digest
// auth and ACLs, session expiry of a killed client, and kazoo's recipes (Lock, Election, Barrier,
// DoubleBarrier, Queue, LockingQueue, Counter). Each test is one or more real Python processes.
// On the standalone server and on a 3-member zabkit ensemble (+ observer) through a follower.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fourLetterWord } from '../support/apache-zookeeper.js';
import { PYTHON_PATH } from '../support/debian-packages.js';
import { signalGroup, spawnTracked, waitClosed } from '../support/processes.js';
import { runKazoo } from '../support/real-clients.js';
import { zabkitEnsemble, zabkitStandalone, type InteropTarget } from './targets.js';

let server: InteropTarget;

/** Python helpers every script may use: waiting on conditions and child counts with bounds. */
const PRELUDE = `
import threading
def err(fn):  # the exception class name, or None
    try:
        fn()
        return None
    except Exception as e:
        return type(e).__name__
from kazoo.client import KazooClient
def new_client(timeout=10):
    c = KazooClient(hosts=os.environ['ZK_HOSTS'], timeout=timeout)
    c.start(timeout=15)
    return c
class Box:
    def __init__(self):
        self.items = []
        self.cond = threading.Condition()
    def add(self, item):
        with self.cond:
            self.items.append(item)
            self.cond.notify_all()
    def wait_len(self, n, timeout=10):
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.items) >= n, timeout):
                raise AssertionError('waited for %d items, have %r' % (n, self.items))
            return list(self.items)
def wait_children(client, path, pred, timeout=10):
    box = Box()
    def w(children):
        box.add(list(children))
        return not pred(children)
    client.ChildrenWatch(path)(w)
    with box.cond:
        if not box.cond.wait_for(lambda: any(pred(c) for c in box.items), timeout):
            raise AssertionError('children of %s never matched: %r' % (path, box.items))
`;

/** Runs `body` in kazoo (after PRELUDE) and parses the last stdout line as JSON. */
async function kazoo<T = Record<string, unknown>>(body: string, timeoutMs = 20_000): Promise<T> {
  const r = await runKazoo(server.connectString, `${PRELUDE}\n${body}`, { timeoutMs });
  expect(r.code, `python exited ${r.code}\n--- stderr\n${r.stderr}\n--- stdout\n${r.stdout}`).toBe(0);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

const digestOf = (user: string, password: string): string =>
  `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;

/** A long-running Python process whose stdout lines can be awaited. */
function spawnPython(script: string): {
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
  done(timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawnTracked(PYTHON_PATH, ['-c', script], {
    env: { ...process.env, ZK_HOSTS: server.connectString, PYTHONUNBUFFERED: '1' },
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    for (const w of [...waiters]) w();
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin?.end();
  return {
    line: (re, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = stdout.split('\n').find((l) => re.test(l));
          if (hit === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no line matching ${re} within ${timeoutMs} ms\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    kill: async () => {
      signalGroup(child, 'SIGKILL');
      await waitClosed(child, 5000);
    },
    done: async (timeoutMs = 20_000) => {
      const closed = await waitClosed(child, timeoutMs);
      if (!closed) {
        signalGroup(child, 'SIGKILL');
        throw new Error(`python did not finish within ${timeoutMs} ms\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
      }
      return { code: child.exitCode, stdout, stderr };
    },
  };
}

// tickTime 500 ms: sessions may be as short as 1 s, so an abandoned session expires quickly.
// The standalone server, and a zabkit ensemble reached through one follower only.
describe.each([zabkitStandalone({ tickTimeMs: 500 }), zabkitEnsemble('follower', { tickTimeMs: 500 })])('kazoo against $name', (spec) => {
  beforeAll(async () => {
    server = await spec.start();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('does CRUD with versions, sequential and ephemeral nodes, and the right errors', async () => {
    const out = await kazoo(`
from kazoo.exceptions import NodeExistsError, NoNodeError, BadVersionError, NotEmptyError, NoChildrenForEphemeralsError
out = {}
out['create'] = zk.create('/kz-crud', b'v0')
out['missing'] = zk.exists('/kz-crud-missing')
out['set'] = zk.set('/kz-crud', b'v1', version=0).version
out['badversion'] = err(lambda: zk.set('/kz-crud', b'x', version=0))
data, st = zk.get('/kz-crud')
out['get'] = [data.decode(), st.version, st.data_length, st.numChildren, st.czxid < st.mzxid]
zk.ensure_path('/kz-crud/a/b/c')
out['seq'] = [zk.create('/kz-crud/s-', b'', sequence=True) for _ in range(3)]
e = zk.create('/kz-crud/e', b'eph', ephemeral=True)
out['owner_is_me'] = zk.exists(e).ephemeralOwner == zk.client_id[0]
out['eph_child'] = err(lambda: zk.create(e + '/x'))
out['children'] = sorted(zk.get_children('/kz-crud'))
out['cversion'] = zk.exists('/kz-crud').cversion
out['exists_dup'] = err(lambda: zk.create('/kz-crud'))
out['not_empty'] = err(lambda: zk.delete('/kz-crud'))
out['no_node'] = err(lambda: zk.get('/kz-crud-missing'))
out['delete_badversion'] = err(lambda: zk.delete('/kz-crud/a/b/c', version=4))
zk.delete('/kz-crud/a/b/c', version=0)
out['makepath'] = zk.create('/kz-crud/deep/er/node', b'd', makepath=True)
out['empty'] = list(zk.get('/kz-crud/a')[0])
zk.delete('/kz-crud', recursive=True)
out['gone'] = zk.exists('/kz-crud') is None
print(json.dumps(out))
`);
    expect(out).toEqual({
      create: '/kz-crud',
      missing: null,
      set: 1,
      badversion: 'BadVersionError',
      get: ['v1', 1, 2, 0, true],
      // the suffix counts children ever created under the parent; 'a' was the first
      seq: ['/kz-crud/s-0000000001', '/kz-crud/s-0000000002', '/kz-crud/s-0000000003'],
      owner_is_me: true,
      eph_child: 'NoChildrenForEphemeralsError',
      children: ['a', 'e', 's-0000000001', 's-0000000002', 's-0000000003'],
      cversion: 5,
      exists_dup: 'NodeExistsError',
      not_empty: 'NotEmptyError',
      no_node: 'NoNodeError',
      delete_badversion: 'BadVersionError',
      makepath: '/kz-crud/deep/er/node',
      empty: [],
      gone: true,
    });
  });

  it('fires DataWatch and ChildrenWatch callbacks with the right values', async () => {
    const out = await kazoo(`
data_box, child_box = Box(), Box()
zk.create('/kz-w', b'a')
@zk.DataWatch('/kz-w')
def dw(data, stat, event):
    data_box.add([None if data is None else data.decode(), None if stat is None else stat.version, None if event is None else event.type])
@zk.ChildrenWatch('/kz-w')
def cw(children):
    child_box.add(sorted(children))
data_box.wait_len(1); child_box.wait_len(1)
zk.set('/kz-w', b'b')
data_box.wait_len(2)
zk.create('/kz-w/c1')
child_box.wait_len(2)
zk.create('/kz-w/c2')
child_box.wait_len(3)
zk.set('/kz-w/c1', b'not-a-child-event')
zk.delete('/kz-w/c1')
child_box.wait_len(4)
zk.delete('/kz-w/c2')
child_box.wait_len(5)
zk.set('/kz-w', b'c')
data_box.wait_len(3)
zk.delete('/kz-w')
data_box.wait_len(4)
zk.create('/kz-w', b'again')
data_box.wait_len(5)
print(json.dumps({'data': data_box.items, 'children': child_box.items}))
`);
    expect(out.data).toEqual([
      ['a', 0, null],
      ['b', 1, 'CHANGED'],
      ['c', 2, 'CHANGED'],
      [null, null, 'DELETED'],
      ['again', 0, 'CREATED'],
    ]);
    expect(out.children).toEqual([[], ['c1'], ['c1', 'c2'], ['c2'], []]);
  });

  it('commits transactions atomically and reports per-op failures', async () => {
    const out = await kazoo(`
from kazoo.protocol.states import ZnodeStat
def show(results):
    shown = []
    for r in results:
        if isinstance(r, Exception): shown.append(type(r).__name__)
        elif isinstance(r, ZnodeStat): shown.append(['stat', r.version])
        else: shown.append(r)
    return shown
zk.create('/kz-tx', b'0')
t = zk.transaction()
t.create('/kz-tx/a', b'1')
t.set_data('/kz-tx', b'2', version=0)
t.check('/kz-tx', 1)
t.create('/kz-tx/seq-', b'', sequence=True)
t.delete('/kz-tx/a')
ok = show(t.commit())
a, sa = zk.get('/kz-tx')
t = zk.transaction()
t.create('/kz-tx/b', b'')
t.check('/kz-tx', 0)
t.set_data('/kz-tx', b'3')
failed = show(t.commit())
t = zk.transaction()
t.set_data('/kz-tx', b'4')
t.create('/kz-tx/seq-0000000001', b'')
t.delete('/kz-tx/none')
dup = show(t.commit())
print(json.dumps({'ok': ok, 'after_ok': [a.decode(), sa.version, sorted(zk.get_children('/kz-tx'))],
  'failed': failed, 'dup': dup, 'after_failed': [zk.get('/kz-tx')[0].decode(), zk.exists('/kz-tx/b') is None]}))
`);
    expect(out.ok).toEqual(['/kz-tx/a', ['stat', 1], true, '/kz-tx/seq-0000000001', true]);
    expect(out.after_ok).toEqual(['2', 1, ['seq-0000000001']]);
    expect(out.failed).toEqual(['RolledBackError', 'BadVersionError', 'RuntimeInconsistency']);
    expect(out.dup).toEqual(['RolledBackError', 'NodeExistsError', 'RuntimeInconsistency']);
    expect(out.after_failed).toEqual(['2', true]);
  });

  it('enforces digest ACLs between sessions', async () => {
    const out = await kazoo(`
from kazoo.security import make_digest_acl, make_acl
from kazoo.exceptions import NoAuthError, InvalidACLError, BadVersionError
zk.add_auth('digest', 'kzuser:pw')
owner_acl = make_digest_acl('kzuser', 'pw', all=True)
zk.create('/kz-acl', b'private', acl=[owner_acl])
acls, st = zk.get_acls('/kz-acl')
out = {'acl': [[a.perms, a.id.scheme, a.id.id] for a in acls], 'aversion': st.aversion}
other = new_client()
out['stranger_get'] = err(lambda: other.get('/kz-acl'))
out['stranger_set'] = err(lambda: other.set('/kz-acl', b'x'))
out['stranger_child'] = err(lambda: other.create('/kz-acl/c'))
out['stranger_acls'] = err(lambda: other.get_acls('/kz-acl'))
other.add_auth('digest', 'kzuser:wrong')
out['wrong_password'] = err(lambda: other.get('/kz-acl'))
other.add_auth('digest', 'kzuser:pw')
out['right_password'] = other.get('/kz-acl')[0].decode()
out['set_acls_badversion'] = err(lambda: zk.set_acls('/kz-acl', [owner_acl], version=5))
st = zk.set_acls('/kz-acl', [make_acl('world', 'anyone', read=True), owner_acl], version=0)
out['aversion_after'] = st.aversion
third = new_client()
out['third_get'] = third.get('/kz-acl')[0].decode()
out['third_set'] = err(lambda: third.set('/kz-acl', b'y'))
out['invalid_acl'] = err(lambda: zk.create('/kz-acl-bad', acl=[make_acl('world', 'somebody', read=True)]))
out['bad_digest_id'] = err(lambda: zk.create('/kz-acl-bad', acl=[make_acl('digest', 'no-colon', read=True)]))
for c in (other, third):
    c.stop(); c.close()
print(json.dumps(out))
`);
    const id = digestOf('kzuser', 'pw');
    expect(out).toEqual({
      acl: [[31, 'digest', id]],
      aversion: 0,
      stranger_get: 'NoAuthError',
      stranger_set: 'NoAuthError',
      stranger_child: 'NoAuthError',
      stranger_acls: 'NoAuthError',
      wrong_password: 'NoAuthError',
      right_password: 'private',
      set_acls_badversion: 'BadVersionError',
      aversion_after: 1,
      third_get: 'private',
      third_set: 'NoAuthError',
      invalid_acl: 'InvalidACLError',
      bad_digest_id: 'InvalidACLError',
    });
  });

  // kazoo writes an empty string as a null ustring (length -1), so its CREATOR_ALL_ACL =
  // [ACL(31, Id('auth', ''))] reaches the server as Id{scheme 'auth', id null}. ZooKeeper reads
  // the null id and expands 'auth' to the caller's digest ids (InvalidACL when it has none).
  it('accepts kazoo CREATOR_ALL_ACL (auth scheme with a null id)', async () => {
    const out = await kazoo(`
from kazoo.security import CREATOR_ALL_ACL
def attempt(fn):  # the result, or the exception class name
    try:
        return fn()
    except Exception as e:
        return type(e).__name__
out = {'anonymous': attempt(lambda: zk.create('/kz-creator-anon', acl=CREATOR_ALL_ACL))}
authed = KazooClient(hosts=os.environ['ZK_HOSTS'], timeout=10, auth_data=[('digest', 'creator:pw')])
authed.start(timeout=15)
out['authed'] = attempt(lambda: authed.create('/kz-creator', b'x', acl=CREATOR_ALL_ACL))
out['acl'] = attempt(lambda: [[a.perms, a.id.scheme, a.id.id] for a in authed.get_acls('/kz-creator')[0]])
authed.stop(); authed.close()
print(json.dumps(out))
`);
    expect(out).toEqual({ anonymous: 'InvalidACLError', authed: '/kz-creator', acl: [[31, 'digest', digestOf('creator', 'pw')]] });
  });

  it('removes the ephemerals of a killed client when its session expires, firing NodeDeleted', async () => {
    const victim = spawnPython(`
import json, os, time
from kazoo.client import KazooClient
zk = KazooClient(hosts=os.environ['ZK_HOSTS'], timeout=1.0)
zk.start(timeout=15)
p = zk.create('/kz-exp/victim', b'', ephemeral=True, makepath=True)
print(json.dumps({'path': p, 'sid': '%x' % zk.client_id[0]}), flush=True)
time.sleep(120)
`);
    const info = JSON.parse(await victim.line(/"sid"/)) as { path: string; sid: string };
    const watcher = spawnPython(`
import json, os, threading, time
from kazoo.client import KazooClient
zk = KazooClient(hosts=os.environ['ZK_HOSTS'], timeout=10)
zk.start(timeout=15)
fired = threading.Event()
events = []
def on_event(event):
    events.append([event.type, event.path, event.state])
    fired.set()
print(json.dumps({'ready': zk.exists('/kz-exp/victim', watch=on_event) is not None}), flush=True)
ok = fired.wait(20)
print(json.dumps({'fired': ok, 'events': events, 'exists_after': zk.exists('/kz-exp/victim') is not None}), flush=True)
zk.stop(); zk.close()
`);
    try {
      expect(info.path).toBe('/kz-exp/victim');
      // the negotiated timeout (kazoo only knows what it asked for) is the 1 s minimum
      expect(await fourLetterWord(server.port, 'cons')).toMatch(new RegExp(`sid=0x${info.sid},.*,to=1000,`));
      expect(JSON.parse(await watcher.line(/"ready"/))).toEqual({ ready: true });
      const before = await fourLetterWord(server.port, 'dump');
      expect(before).toContain(`0x${info.sid}:\n\t/kz-exp/victim\n`);

      const killedAt = Date.now();
      await victim.kill(); // no closeSession: only expiry can remove the ephemeral
      const result = JSON.parse(await watcher.line(/"fired"/, 20_000)) as { fired: boolean; events: unknown[]; exists_after: boolean };
      const elapsed = Date.now() - killedAt;
      expect(result).toEqual({ fired: true, events: [['DELETED', '/kz-exp/victim', 'CONNECTED']], exists_after: false });
      // expiry is due 1 s (+ up to one tick) after the last packet, not at some later sweep
      expect(elapsed).toBeLessThan(5000);
      const after = await fourLetterWord(server.port, 'dump');
      expect(after).not.toContain(`0x${info.sid}`);
      expect((await watcher.done()).code).toBe(0);
    } finally {
      await victim.kill();
      await watcher.kill();
    }
  });

  it('Lock: two processes exclude each other', async () => {
    const N = 12;
    await kazoo(`
zk.create('/kz-lock-counter', b'0')
print(json.dumps({}))
`);
    const contender = (me: string): Promise<{ spans: [number, number][]; saw_other: boolean }> =>
      kazoo(`
zk.create('/kz-lock-gate/${me}', ephemeral=True, makepath=True)
wait_children(zk, '/kz-lock-gate', lambda c: len(c) >= 2)
lock = zk.Lock('/kz-lock', '${me}')
spans = []
saw_other = False
for i in range(${N}):
    with lock:
        t0 = time.time()
        v = int(zk.get('/kz-lock-counter')[0])
        # The first holder waits (a bounded while) for the other to queue: on a loaded machine
        # one process could otherwise finish every round before the other reaches the lock.
        deadline = time.time() + (5 if i == 0 else 0)
        while True:
            if len(lock.contenders()) > 1: saw_other = True
            if saw_other or time.time() >= deadline: break
            time.sleep(0.01)
        time.sleep(0.01)
        zk.set('/kz-lock-counter', str(v + 1).encode())
        t1 = time.time()
    spans.append([t0, t1])
print(json.dumps({'spans': spans, 'saw_other': saw_other}))
`);
    const [a, b] = await Promise.all([contender('alpha'), contender('beta')]);
    const final = await kazoo<{ value: number; left: string[] }>(`
print(json.dumps({'value': int(zk.get('/kz-lock-counter')[0]), 'left': zk.get_children('/kz-lock')}))
`);
    // Without mutual exclusion read-sleep-write increments would be lost.
    expect(final).toEqual({ value: 2 * N, left: [] });
    const spans = [...a.spans, ...b.spans].sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(a.saw_other || b.saw_other).toBe(true);
  });

  it('Election: one leader at a time, the next contender takes over', async () => {
    const out = await kazoo(`
zk2 = new_client()
leaders = Box()
release = {'c1': threading.Event(), 'c2': threading.Event()}
def lead(name):
    leaders.add(name)
    release[name].wait(15)
e1 = zk.Election('/kz-elect', 'c1')
e2 = zk2.Election('/kz-elect', 'c2')
t1 = threading.Thread(target=e1.run, args=(lead, 'c1'), daemon=True); t1.start()
leaders.wait_len(1)
t2 = threading.Thread(target=e2.run, args=(lead, 'c2'), daemon=True); t2.start()
wait_children(zk, '/kz-elect', lambda c: len(c) == 2)
contenders = e1.contenders()
only_first = list(leaders.items)
release['c1'].set(); t1.join(10)
leaders.wait_len(2)
release['c2'].set(); t2.join(10)
zk2.stop(); zk2.close()
print(json.dumps({'contenders': contenders, 'only_first': only_first, 'leaders': leaders.items, 'left': zk.get_children('/kz-elect')}))
`);
    expect(out).toEqual({ contenders: ['c1', 'c2'], only_first: ['c1'], leaders: ['c1', 'c2'], left: [] });
  });

  it('Barrier and DoubleBarrier block until released', async () => {
    const out = await kazoo(`
zk2 = new_client()
b = zk.Barrier('/kz-barrier')
b.create()
blocked = zk2.Barrier('/kz-barrier').wait(0.3)
passed = Box()
th = threading.Thread(target=lambda: passed.add(zk2.Barrier('/kz-barrier').wait(10)), daemon=True); th.start()
b.remove()
th.join(10)
entered, left = Box(), Box()
def member(client, name):
    db = client.DoubleBarrier('/kz-dbar', 2, identifier=name)
    db.enter(); entered.add(name)
    db.leave(); left.add(name)
zk.ensure_path('/kz-dbar')
m1 = threading.Thread(target=member, args=(zk, 'm1'), daemon=True); m1.start()
wait_children(zk, '/kz-dbar', lambda c: len([x for x in c if x != 'ready']) == 1)
alone = list(entered.items)
m2 = threading.Thread(target=member, args=(zk2, 'm2'), daemon=True); m2.start()
m1.join(10); m2.join(10)
zk2.stop(); zk2.close()
print(json.dumps({'blocked': blocked, 'passed': passed.items, 'alone': alone, 'entered': sorted(entered.items), 'left': sorted(left.items), 'barrier_gone': zk.exists('/kz-barrier') is None}))
`);
    expect(out).toEqual({ blocked: false, passed: [true], alone: [], entered: ['m1', 'm2'], left: ['m1', 'm2'], barrier_gone: true });
  });

  it('Queue and LockingQueue hand out entries by priority and lock', async () => {
    const out = await kazoo(`
q = zk.Queue('/kz-q')
q.put(b'one'); q.put(b'two'); q.put(b'urgent', priority=10)
size = len(q)
got = [q.get(), q.get(), q.get(), q.get()]
zk2 = new_client()
lq1 = zk.LockingQueue('/kz-lq'); lq2 = zk2.LockingQueue('/kz-lq')
lq1.put(b'a'); lq1.put_all([b'b', b'c'])
a = lq1.get(5)
b = lq2.get(5)
holds = [lq1.holds_lock(), lq2.holds_lock()]
consumed = lq1.consume()
released = lq2.release()
b_again = lq1.get(5)
lq1.consume()
c = lq2.get(5)
lq2.consume()
empty = lq1.get(0.2)
zk2.stop(); zk2.close()
print(json.dumps({'size': size, 'got': [None if g is None else g.decode() for g in got],
  'locking': [a.decode(), b.decode(), holds, consumed, released, b_again.decode(), c.decode(), empty, len(lq1)]}))
`);
    expect(out).toEqual({
      size: 3,
      got: ['urgent', 'one', 'two', null],
      locking: ['a', 'b', [true, true], true, true, 'b', 'c', null, 0],
    });
  });

  it('Counter: concurrent increments from two processes all land', async () => {
    const out0 = await kazoo(`
c = zk.Counter('/kz-counter-single')
c += 5
c -= 2
print(json.dumps({'value': c.value, 'raw': zk.get('/kz-counter-single')[0].decode()}))
`);
    expect(out0).toEqual({ value: 3, raw: '3' });
    const bump = (me: string): Promise<unknown> =>
      kazoo(`
zk.create('/kz-counter-gate/${me}', ephemeral=True, makepath=True)
wait_children(zk, '/kz-counter-gate', lambda c: len(c) >= 2)
c = zk.Counter('/kz-counter')
for i in range(25):
    c += 1
print(json.dumps({}))
`);
    await Promise.all([bump('x'), bump('y')]);
    const out = await kazoo(`print(json.dumps({'value': zk.Counter('/kz-counter').value}))`);
    expect(out).toEqual({ value: 50 });
  });
});
