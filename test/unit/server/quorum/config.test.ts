// Configuring an ensemble member: a zoo.cfg with server.N lines (+ myid) becomes quorum options
// with initLimit, syncLimit and the client port of the member's own line; mistakes are refused
// naming the key; options built in code get the same checks; the membership text is
// ZooKeeper's dynamic-config form.

import { describe, expect, it } from 'vitest';
import { resolveServerOptions } from '../../../../cli/server-command.js';
import { ConfigError } from '../../../../server/config/config-error.js';
import { checkEnsemble, ensembleFromZooCfg } from '../../../../server/config/ensemble.js';
import { validateServerOptions } from '../../../../server/config/values.js';
import { parseZooCfg } from '../../../../server/config/zoo-cfg.js';
import { defaultServerOptions, type QuorumServerSpec } from '../../../../server/options.js';
import { membershipText } from '../../../../server/quorum/quorum-peer.js';

const cfg = (...lines: string[]) => parseZooCfg(lines.join('\n'), { source: 'zoo.cfg' });
const servers = ['server.1=a:2888:3888', 'server.2=b:2888:3888;2182', 'server.3=c:2888:3888:observer'];

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('ensembleFromZooCfg', () => {
  it('takes the servers, initLimit, syncLimit and warns when peerType disagrees with the server list', () => {
    const file = cfg('initLimit=10', 'syncLimit=5', 'peerType=observer', ...servers);
    const { options, warnings } = ensembleFromZooCfg(file, 1, '/d', 'zoo.cfg');
    expect(options.initLimit).toBe(10);
    expect(options.syncLimit).toBe(5);
    expect(options.quorum!.servers.map((s) => [s.sid, s.role])).toEqual([[1, 'participant'], [2, 'participant'], [3, 'observer']]);
    expect(warnings).toEqual(["peerType=observer does not match server.1's role (participant); the server list wins, as in ZooKeeper"]);
  });

  it.each<[string, string[], number | undefined, string, string]>([
    ['no myid', ['initLimit=10', 'syncLimit=5', ...servers], undefined, 'myid', '/d/myid holds no myid'],
    ['a myid not in the list', ['initLimit=10', 'syncLimit=5', ...servers], 7, 'myid', 'myid 7 is not among the servers (server.1, server.2, server.3)'],
    ['no initLimit', ['syncLimit=5', ...servers], 1, 'initLimit', 'initLimit is not set'],
    ['syncLimit 0', ['initLimit=10', 'syncLimit=0', ...servers], 1, 'syncLimit', 'syncLimit is not set'],
    ['only observers', ['initLimit=10', 'syncLimit=5', 'server.1=a:1:2:observer', 'server.2=b:1:2:observer'], 1, 'server.N', 'at least one participant'],
    ['equal ports', ['initLimit=10', 'syncLimit=5', 'server.1=a:5:5', 'server.2=b:1:2'], 1, 'server.1', 'must differ'],
  ])('refuses %s, naming the key', (_name, lines, myid, key, message) => {
    const err = configError(() => ensembleFromZooCfg(cfg(...lines), myid, '/d', 'zoo.cfg'));
    expect(err.key).toBe(key);
    expect(err.message).toContain(message);
  });
});

describe('options built in code', () => {
  const spec = (sid: number, role: QuorumServerSpec['role'] = 'participant'): QuorumServerSpec => ({ sid, host: '127.0.0.1', quorumPort: 1000 + sid, electionPort: 2000 + sid, role });

  it('need a dataDir, a myid among the servers and positive limits', () => {
    const base = { serverId: 1, dataDir: '/d', quorum: { servers: [spec(1), spec(2), spec(3)] } };
    expect(() => validateServerOptions(defaultServerOptions(base))).not.toThrow();
    expect(configError(() => validateServerOptions(defaultServerOptions({ ...base, dataDir: undefined }))).key).toBe('dataDir');
    expect(configError(() => validateServerOptions(defaultServerOptions({ ...base, serverId: 9 }))).key).toBe('myid');
    expect(configError(() => validateServerOptions(defaultServerOptions({ ...base, initLimit: 0 }))).key).toBe('initLimit');
    expect(configError(() => checkEnsemble({ ...defaultServerOptions(base), quorum: { servers: [spec(1), spec(1)] } })).message).toContain('server.1 appears twice');
    expect(configError(() => checkEnsemble({ ...defaultServerOptions(base), quorum: { servers: [spec(1)], electionTickMs: 0 } })).key).toBe('electionTickMs');
  });
});

describe('zabkit server --config with server.N lines', () => {
  const file = (...extra: string[]) => ({ ...cfg('initLimit=10', 'syncLimit=5', 'dataDir=/d', ...servers, ...extra), path: 'zoo.cfg' });

  it('runs the member named by myid, on the client port of its own server line', () => {
    const { options, warnings } = resolveServerOptions({}, { ...file(), options: { ...file().options, serverId: 2 } });
    expect(options.serverId).toBe(2);
    expect(options.port).toBe(2182);
    expect(options.quorum!.servers).toHaveLength(3);
    expect(options.initLimit).toBe(10);
    expect(warnings).toEqual([]);
  });

  it('takes myid from --data-dir when given there', () => {
    const { options } = resolveServerOptions({ dataDir: '/other' }, file('clientPort=2181'), () => 1);
    expect(options).toMatchObject({ serverId: 1, dataDir: '/other', port: 2181 });
  });

  it('refuses a member without myid, and runs standalone with one server line or --in-memory', () => {
    expect(configError(() => resolveServerOptions({}, file())).key).toBe('myid');
    const one = resolveServerOptions({}, cfg('dataDir=/d', 'server.1=a:1:2'));
    expect(one.options.quorum).toBeUndefined();
    expect(one.warnings).toEqual(['server.1 ignored: with only one server configured this runs standalone, as ZooKeeper does']);
    expect(resolveServerOptions({ inMemory: true }, file()).options.quorum).toBeUndefined();
  });
});

describe('membershipText', () => {
  it('lists the servers as ZooKeeper\'s dynamic config does, then the version', () => {
    expect(membershipText([
      { sid: 2, host: '10.0.0.2', quorumPort: 2888, electionPort: 3888, role: 'participant', clientPort: 2181 },
      { sid: 1, host: '::1', quorumPort: 2888, electionPort: 3888, role: 'observer' },
    ])).toBe('server.1=[::1]:2888:3888:observer\nserver.2=10.0.0.2:2888:3888:participant;0.0.0.0:2181\nversion=0');
  });
});
