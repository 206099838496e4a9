// Checks the real-software test harness itself against REAL Apache ZooKeeper 3.8: server
// start/stop, zkCli.sh, kazoo, the C CLI, the recording proxy and a 3-member ensemble.
// If these fail, every interop test built on the harness is meaningless.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fourLetterWord, startApacheEnsemble, startApacheZooKeeper, type ApacheZooKeeper } from '../support/apache-zookeeper.js';
import { runCliSt, runKazoo, runZkCli } from '../support/real-clients.js';
import { startRecordingProxy } from '../support/recording-proxy.js';

describe('real-software harness (Apache ZooKeeper 3.8)', () => {
  let zk: ApacheZooKeeper;

  beforeAll(async () => {
    zk = await startApacheZooKeeper({ extendedTypes: true });
  });
  afterAll(async () => {
    await zk?.stop();
  });

  it('serves four-letter words, including non-default ones', async () => {
    expect(await fourLetterWord(zk.port, 'srvr')).toMatch(/^Mode: standalone$/m);
    expect(await fourLetterWord(zk.port, 'mntr')).toMatch(/^zk_server_state\tstandalone$/m);
  });

  it('runs several zkCli commands in one session', async () => {
    const r = await runZkCli(zk.connectString, [
      'create /zkcli hello',
      'create -e /zkcli/eph',
      'get /zkcli',
      'ls /zkcli',
      'set -v 7 /zkcli nope',
      'create -t 60000 /zkcli-ttl',
      'stat /zkcli-missing',
    ]);
    expect(r.sections).toEqual([
      'Created /zkcli',
      'Created /zkcli/eph',
      'hello',
      '[eph]',
      'version No is not valid : /zkcli',
      'Created /zkcli-ttl',
      'Node does not exist: /zkcli-missing',
    ]);
  });

  it('runs kazoo under /usr/bin/python3 and sees what zkCli left', async () => {
    const r = await runKazoo(
      zk.connectString,
      [
        "data, stat = zk.get('/zkcli')",
        "zk.create('/kazoo', b'from-python')",
        "print(json.dumps({'data': data.decode(), 'children': zk.get_children('/zkcli'), 'version': stat.version}))",
      ].join('\n'),
    );
    expect(r.code, r.stderr).toBe(0);
    // The ephemeral died with the zkCli session.
    expect(JSON.parse(r.stdout)).toEqual({ data: 'hello', children: [], version: 0 });
  });

  it('runs the C CLI and lists /', async () => {
    const r = await runCliSt(zk.connectString, ['ls /', 'get /kazoo', 'exists /c-missing']);
    const listing = r.sections[0] ?? '';
    expect(listing).toMatch(/^\/: rc = 0$/m);
    for (const child of ['zookeeper', 'zkcli', 'kazoo', 'zkcli-ttl']) expect(listing).toMatch(new RegExp(`^\\t${child}$`, 'm'));
    expect(r.sections[1]).toMatch(/^from-python$/m);
    expect(r.sections[2]).toBe('Error -101 for /c-missing');
  });

  it('records length-prefixed frames through the proxy', async () => {
    const proxy = await startRecordingProxy({ port: zk.port });
    try {
      const r = await runZkCli(proxy.connectString, ['get /kazoo']);
      expect(r.sections).toEqual(['from-python']);
      const frames = proxy.take();
      const [connectReq, connectResp] = frames;
      expect(connectReq?.dir).toBe('c2s');
      expect(connectReq?.hex.slice(0, 8)).toBe('0000002d'); // 45-byte ConnectRequest (readOnly byte included)
      expect(connectResp?.dir).toBe('s2c');
      expect(connectResp?.hex.slice(0, 8)).toBe('00000025'); // 37-byte ConnectResponse
      const requestTypes = frames.filter((f, i) => f.dir === 'c2s' && i > 0).map((f) => Buffer.from(f.hex, 'hex').readInt32BE(8));
      expect(requestTypes).toEqual([4, -11]); // getData, closeSession
      for (const f of frames) expect(Buffer.from(f.hex, 'hex').readInt32BE(0)).toBe(f.hex.length / 2 - 4);
    } finally {
      await proxy.close();
    }
  });

  it('stop() ends the server and removes its dataDir', async () => {
    const other = await startApacheZooKeeper();
    expect(existsSync(other.dataDir)).toBe(true);
    await other.stop();
    expect(existsSync(other.dataDir)).toBe(false);
    await expect(fourLetterWord(other.port, 'srvr')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('starts a 3-member ensemble that replicates writes', async () => {
    const ens = await startApacheEnsemble(3);
    try {
      const modes = await Promise.all(ens.members.map(async (m) => /^Mode: (\w+)$/m.exec(await fourLetterWord(m.port, 'srvr'))?.[1]));
      expect(modes.sort()).toEqual(['follower', 'follower', 'leader']);
      const [first, , third] = ens.members;
      const w = await runKazoo(first?.connectString ?? '', "zk.create('/replicated', b'x')");
      expect(w.code, w.stderr).toBe(0);
      const r = await runKazoo(third?.connectString ?? '', "zk.sync('/replicated')\nprint(zk.get('/replicated')[0].decode())");
      expect(r.stdout.trim()).toBe('x');
    } finally {
      await ens.stop();
    }
  }, 60_000);
});
