// The small text formats the bench exchanges with servers: the zoo.cfg it writes for both kinds
// of server, and the mntr / srvr replies it parses.

import { describe, expect, it } from 'vitest';
import { parseMntr, parseMode } from '../../../bench/four-letter-words.js';
import { benchZooCfg } from '../../../bench/zoo-cfg.js';
import { parseZooCfg } from '../../../server/config/zoo-cfg.js';

describe('benchZooCfg', () => {
  it('standalone: loopback, no connection cap, every 4lw, no admin server; durability left at the defaults', () => {
    const text = benchZooCfg({ dataDir: '/d', clientPort: 2222 });
    const lines = text.split('\n');
    expect(lines).toEqual(expect.arrayContaining([
      'dataDir=/d', 'clientPort=2222', 'clientPortAddress=127.0.0.1', 'maxClientCnxns=0', '4lw.commands.whitelist=*', 'admin.enableServer=false',
    ]));
    expect(text).not.toMatch(/^(forceSync|snapCount|preAllocSize|globalOutstandingLimit)=/m);
    expect(text).not.toMatch(/^server\./m);
  });

  it('ensemble: one server.N line per member', () => {
    const text = benchZooCfg({ dataDir: '/d', clientPort: 1, servers: [{ id: 1, quorumPort: 10, electionPort: 11 }, { id: 2, quorumPort: 20, electionPort: 21 }] });
    expect(text).toContain('server.1=127.0.0.1:10:11\nserver.2=127.0.0.1:20:21\n');
  });

  it('zabkit reads it without warnings about unknown keys', () => {
    const parsed = parseZooCfg(benchZooCfg({ dataDir: '/d', clientPort: 2222 }));
    expect(parsed.options).toMatchObject({ port: 2222, host: '127.0.0.1', maxClientCnxns: 0, fourLetterWords: '*' });
    expect(parsed.warnings.filter((w) => /unknown/i.test(w))).toEqual([]);
  });
});

describe('four-letter-word replies', () => {
  it('parseMntr: zk_key\\tvalue lines → key without zk_ → value; other lines ignored', () => {
    const m = parseMntr('zk_version\t3.8.0-abc, built on x\nzk_server_state\tleader\nzk_event_loop_lag_p99_ms\t1.250\ngarbage\n\n');
    expect([...m]).toEqual([
      ['version', '3.8.0-abc, built on x'],
      ['server_state', 'leader'],
      ['event_loop_lag_p99_ms', '1.250'],
    ]);
  });

  it('parseMode finds the Mode line of srvr, or nothing while a member is not serving', () => {
    expect(parseMode('Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n')).toBe('follower');
    expect(parseMode('This ZooKeeper instance is not currently serving requests\n')).toBeUndefined();
  });
});
