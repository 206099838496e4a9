// Golden-capture scenarios: what each real client does against Apache ZooKeeper 3.8 through the
// recording proxy, the request type codes each capture must contain, and extra acceptance
// checks (e.g. exactly one ping). Drivers live in drivers.ts; the runner is capture-golden.ts.
import { createHash } from 'node:crypto';
import { runCliSt, runZkCli } from '../../test/support/real-clients.js';
import { commandAnswered, java, kazoo, pings, reconnectClient, zkCli, type Scenario } from './drivers.js';

export type { ClientKind, Scenario } from './drivers.js';

const digest = (user: string, password: string): string =>
  `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;

const C_COMMANDS = ['ls /', 'create /cnode', 'get /cnode', 'exists /cmissing', 'ls2 /', 'delete /cnode'];

export const SCENARIOS: Scenario[] = [
  zkCli('zkcli-crud.json', 'zkCli: create (ephemeral, sequential), get -s, stat, set with version (ok and BadVersion), ls -s, ls, delete (ok and BadVersion), deleteall, exists/getData on a missing node (-101), closeSession.', [
    'create /crud v1',
    'create -e /crud/eph e',
    'create -s /crud/seq- s',
    'get -s /crud',
    'stat /crud',
    'set -v 0 /crud v2',
    'set -v 0 /crud v3',
    'ls -s /crud',
    'ls /crud',
    'delete /crud/eph',
    'delete -v 5 /crud/seq-0000000001',
    'deleteall /crud',
    'stat /crud',
    'get /crud',
  ], [1, 2, 3, 4, 5, 8, 12, 14, -11]),
  zkCli('zkcli-create-modes.json', 'zkCli: every create mode (persistent, ephemeral, sequential, ephemeral-sequential, container, TTL, sequential TTL), null data, NodeExists, NoChildrenForEphemerals, NoNode parent.', [
    'create /modes',
    'create /modes/persistent p',
    'create -e /modes/ephemeral e',
    'create -s /modes/pseq- s',
    'create -e -s /modes/eseq- es',
    'create -c /modes/container c',
    'create -t 10000 /modes/ttl t',
    'create -s -t 10000 /modes/ttlseq- ts',
    'create /modes/nodata',
    'get -s /modes/nodata',
    'create /modes/persistent dup',
    'create /modes/ephemeral/child x',
    'create /nope/child x',
    'ls -s /modes',
  ], [1, 4, 12, 19, 21]),
  zkCli('zkcli-acl-auth.json', 'zkCli: addauth digest (xid -4; zkCli does not wait for its reply, so the next request may precede it), whoami, create with an auth ACL, getAcl -s, setAcl with a wrong version (BadVersion) and a right one, setAcl without ADMIN (NoAuth: permission is checked before version), digest ACL denying get (NoAuth), then authenticating as the owner.', [
    'addauth digest alice:secret',
    'whoami',
    'create /acl a auth::cdrwa',
    'getAcl -s /acl',
    'setAcl -v 5 /acl auth::cdrwa',
    'setAcl -v 0 /acl world:anyone:r',
    'setAcl -v 1 /acl world:anyone:cdrwa',
    'getAcl /acl',
    `create /locked l digest:${digest('bob', 'pw')}:cdrwa`,
    'get /locked',
    'addauth digest bob:pw',
    'get /locked',
    'whoami',
  ], [100, 107, 1, 6, 7, 4]),
  zkCli('zkcli-watches.json', 'zkCli: addWatch PERSISTENT (/w) and PERSISTENT_RECURSIVE (/r), one-shot get -w / ls -w (/o), stat -w on a missing node, changes that fire notifications (xid -1 frames, sent before the triggering reply), removewatches. One-shot and persistent watches are kept on different paths (ZooKeeper 3.8.0 lets a one-shot watch replace a persistent one on the same path).', [
    'create /w a',
    'create /r a',
    'create /o a',
    'addWatch -m PERSISTENT /w',
    'addWatch -m PERSISTENT_RECURSIVE /r',
    'get -w /o',
    'ls -w /o',
    'set /w b',
    'create /w/child c',
    'set /w/child d',
    'create /r/x c',
    'set /r/x d',
    'set /r e',
    'delete /r/x',
    'set /o b',
    'create /o/child c',
    'set /o c',
    'stat -w /later',
    'create /later x',
    'removewatches /w',
    'set /w c',
  ], [106, 4, 12, 3, 5, 1, 2, 18]),
  zkCli('zkcli-misc.json', 'zkCli: sync, getEphemerals (all and by prefix), getAllChildrenNumber, whoami, ls -R, config (getData of /zookeeper/config).', [
    'sync /',
    'create -e /eph1 a',
    'create -e /eph2 b',
    'create /dir',
    'create -e /dir/eph3 c',
    'getEphemerals /',
    'getEphemerals /dir',
    'getAllChildrenNumber /',
    'getAllChildrenNumber /dir',
    'whoami',
    'ls -R /dir',
    'config',
  ], [9, 103, 104, 107, 12, 4]),
  kazoo('kazoo-crud.json', 'kazoo: create, create2 (include_data), sequential and ephemeral create, get, exists (hit and -101), set with version (ok and BadVersion), getChildren and getChildren2, delete with version, NotEmpty, sync, getACL, setACL, auth (xid -4), closeSession.', [
    "zk.create('/k', b'v1')",
    "print(zk.create('/k/c2', b'x', include_data=True))",
    "print(zk.create('/k/seq-', b's', sequence=True))",
    "zk.create('/k/eph', b'e', ephemeral=True)",
    "print(zk.get('/k'))",
    "print(zk.exists('/k'), zk.exists('/missing'))",
    "zk.set('/k', b'v2', version=0)",
    'from kazoo.exceptions import BadVersionError, NotEmptyError',
    'try:',
    "    zk.set('/k', b'v3', version=0)",
    '    raise SystemExit("expected BadVersion")',
    'except BadVersionError:',
    '    pass',
    "print(sorted(zk.get_children('/k')), zk.get_children('/k', include_data=True)[1])",
    "zk.delete('/k/c2', version=0)",
    'try:',
    "    zk.delete('/k')",
    '    raise SystemExit("expected NotEmpty")',
    'except NotEmptyError:',
    '    pass',
    "print(zk.sync('/k'))",
    "acls, stat = zk.get_acls('/k')",
    "zk.set_acls('/k', acls, version=0)",
    "zk.add_auth('digest', 'carol:pw')",
  ], [1, 15, 4, 3, 5, 8, 12, 2, 9, 6, 7, 100, -11]),
  kazoo('kazoo-transaction.json', 'kazoo: a successful multi (create, check, setData, delete) and a failed multi (check with a bad version: earlier op RolledBack 0, failing op -103, later ops -2), then proof nothing was applied.', [
    "zk.create('/tx', b'0')",
    't = zk.transaction()',
    "t.create('/tx/a', b'a')",
    "t.check('/tx', 0)",
    "t.set_data('/tx', b'1', version=0)",
    "t.create('/tx/b', b'b', ephemeral=True)",
    "t.delete('/tx/a')",
    'print(t.commit())',
    't = zk.transaction()',
    "t.create('/tx/c', b'c')",
    "t.check('/tx', 99)",
    "t.set_data('/tx', b'2')",
    'print(t.commit())',
    "print(zk.exists('/tx/c'), zk.get('/tx'))",
  ], [1, 14, 3, 4]),
  kazoo('kazoo-watches.json', 'kazoo: one-shot data, child and exists watches (request watch flag = 1) and the notifications they produce (NodeDataChanged, NodeCreated, NodeChildrenChanged, NodeDeleted).', [
    "zk.create('/kw', b'0')",
    "zk.get('/kw', watch=lambda e: print('data', e))",
    "zk.get_children('/kw', watch=lambda e: print('children', e))",
    "zk.exists('/kw/new', watch=lambda e: print('exists', e))",
    "zk.set('/kw', b'1')",
    "zk.create('/kw/new', b'')",
    "zk.get('/kw/new', watch=lambda e: print('data', e))",
    "zk.delete('/kw/new')",
    'time.sleep(0.2)',
  ], [1, 4, 8, 3, 5, 2]),
  {
    ...kazoo('kazoo-ping.json', 'kazoo: 4 s session timeout (negotiated 4000), idle long enough for exactly one ping (xid -2, type 11) and its reply, then closeSession.', [
      'time.sleep(1.6)',
    ], [11, -11], 4),
    accept: (frames) => (pings(frames) === 1 ? undefined : `expected exactly one ping, saw ${pings(frames)}`),
  },
  kazoo('kazoo-readonly-connect.json', 'kazoo with read_only=True: ConnectRequest readOnly byte = 1 (standalone server answers readOnly = 0), one exists, closeSession.', [
    "print(zk.exists('/'))",
  ], [3, -11], 30, 'read_only=True'),
  java('java-reads.json', 'Java client: create2 (create with Stat), null data, multiRead (op 22) with a failing getData inside, getChildren with watch, checkWatches (op 17) and removeWatches (op 18) incl. NoWatcher (-121), getConfig.', 'reads', [15, 1, 4, 22, 8, 17, 18]),
  java('java-reconnect-setwatches.json', 'Java client: connection dropped twice; each reconnect (conn 1, 2) resumes the session (sessionId + password + lastZxidSeen). First with one-shot watches only -> SetWatches (op 101); changes made meanwhile by another session fire notifications before its reply. Then with data, exist, child, persistent and persistent-recursive watches -> SetWatches2 (op 105), after which each kind fires once.', 'reconnect', [1, 4, 3, 8, 106, 101, 105, 5, 2], async (zk, proxy, tag) => {
    if (tag === 'one-shot-watches-set') {
      await reconnectClient(proxy, 101, async () => {
        const r = await runZkCli(zk.connectString, ['set /rw/data changed-while-away', 'create /rw/later x']);
        if (r.sections[1] !== 'Created /rw/later') throw new Error(`side change failed:\n${r.output}`);
      });
    } else {
      await reconnectClient(proxy, 105, async () => undefined);
    }
  }),
  java('java-container-ttl-reap.json', 'Java client: a container emptied by delete and a TTL node (ttl 500 ms, op 21) are reaped by the server (check interval 1 s); exists-watches deliver NodeDeleted for both.', 'reap', [19, 1, 3, 2, 21]),
  {
    file: 'cclient-basic.json',
    kind: 'c',
    description: 'C client (cli_mt): ls (with watch), create, get, exists on a missing node, ls2, delete. Its xids start from the clock. After each command\'s reply the harness sends a sync of /zabkit-cli-mark-N to sequence the CLI.',
    commands: C_COMMANDS,
    expectOps: [8, 1, 4, 3, 12, 2, 9],
    async run(_zk, proxy) {
      const r = await runCliSt(proxy.connectString, C_COMMANDS, { beforeMarker: (i) => commandAnswered(proxy, i) });
      if (!r.sections[1]?.includes('rc = 0')) throw new Error(`C CLI create failed:\n${r.output}`);
    },
  },
];
