// zoo.cfg parsing: honoured keys and defaults, recognised-but-unused keys, unknown-key
// warnings, server.N lines, applyMyid, every ConfigError, and validateServerOptions.
// Counterpart: QuorumPeerConfig.parseProperties and QuorumPeer.QuorumServer (and their tests).

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../server/config/config-error.js';
import { validateServerOptions } from '../../../../server/config/values.js';
import {
  applyMyid,
  parseZooCfg,
  serverOptionsFromZooCfg,
  type QuorumServerSpec,
} from '../../../../server/config/zoo-cfg.js';
import { defaultServerOptions, type ServerOptions } from '../../../../server/options.js';
import { configError } from './expect-config-error.js';

const cfg = (...lines: string[]): string => lines.join('\n');


describe('parseZooCfg: real zoo.cfg files', () => {
  const debianSample = '/etc/zookeeper/conf/zoo.cfg';

  it.each<[string, string, Partial<ServerOptions>, Record<string, string>]>([
    [
      'the zoo_sample.cfg shipped with ZooKeeper',
      cfg(
        '# The number of milliseconds of each tick',
        'tickTime=2000',
        '# The number of ticks that the initial ',
        '# synchronization phase can take',
        'initLimit=10',
        'syncLimit=5',
        'dataDir=/tmp/zookeeper',
        'clientPort=2181',
        '#maxClientCnxns=60',
        '#autopurge.snapRetainCount=3',
        '#autopurge.purgeInterval=1',
        '## Metrics Providers',
        '#metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider',
        '#metricsProvider.httpPort=7000',
      ),
      { tickTimeMs: 2000, dataDir: '/tmp/zookeeper', port: 2181 },
      { initLimit: '10', syncLimit: '5' },
    ],
    [
      'a tuned standalone server',
      cfg(
        'tickTime = 500',
        'clientPort: 12181',
        'clientPortAddress=127.0.0.1',
        'minSessionTimeout=1000',
        'maxSessionTimeout=60000',
        'maxClientCnxns=0',
        '4lw.commands.whitelist=stat, ruok, conf, isro',
        'extendedTypesEnabled=true',
        'reconfigEnabled=false',
        'jute.maxbuffer=4194304',
        'znode.container.checkIntervalMs=1000',
        'znode.container.maxNeverUsedIntervalMs=30000',
        'DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=',
        'autopurge.snapRetainCount=3',
        'autopurge.purgeInterval=24',
        'admin.enableServer=false',
        'admin.serverPort=8080',
        'metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider',
        'metricsProvider.httpPort=7000',
        'preAllocSize=65536',
        'snapCount=100000',
        'fsync.warningthresholdms=250',
        'forceSync=yes',
      ),
      {
        tickTimeMs: 500,
        port: 12181,
        host: '127.0.0.1',
        minSessionTimeoutMs: 1000,
        maxSessionTimeoutMs: 60000,
        maxClientCnxns: 0,
        fourLetterWords: ['conf', 'isro', 'ruok', 'srvr', 'stat'],
        extendedTypesEnabled: true,
        reconfigEnabled: false,
        maxBufferBytes: 4194304,
        containerCheckIntervalMs: 1000,
        containerMaxNeverUsedIntervalMs: 30000,
        superDigest: 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=',
        snapRetainCount: 3,
        purgeIntervalHours: 24,
        preAllocSizeKb: 65536,
        snapCount: 100000,
        fsyncWarningThresholdMs: 250,
      },
      { 'autopurge.purgeInterval': '24', 'admin.serverPort': '8080', forceSync: 'yes' },
    ],
    [
      'a three-server ensemble member (3.5+ syntax)',
      cfg(
        'tickTime=2000',
        'initLimit=10',
        'syncLimit=5',
        'dataDir=/var/lib/zookeeper',
        'dataLogDir=/var/lib/zookeeper-log',
        'standaloneEnabled=false',
        'quorumListenOnAllIPs=true',
        'server.1=zk1.example.com:2888:3888;2181',
        'server.2=zk2.example.com:2888:3888:participant;0.0.0.0:2181',
        'server.3=zk3.example.com:2888:3888',
        'server.4=zk4.example.com:2888:3888:observer',
      ),
      { tickTimeMs: 2000, dataDir: '/var/lib/zookeeper', dataLogDir: '/var/lib/zookeeper-log' },
      { standaloneEnabled: 'false', 'server.4': 'zk4.example.com:2888:3888:observer' },
    ],
  ])('%s', (_name, text, options, raw) => {
    const parsed = parseZooCfg(text);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.options).toEqual(options);
    for (const [k, v] of Object.entries(raw)) expect(parsed.raw.get(k)).toBe(v);
  });

  it.runIf(existsSync(debianSample))(`Debian's ${debianSample}, when installed`, () => {
    const parsed = parseZooCfg(readFileSync(debianSample, 'utf8'), { source: debianSample });
    expect(parsed.warnings).toEqual([]);
    const options = serverOptionsFromZooCfg(readFileSync(debianSample, 'utf8'));
    expect(options.tickTimeMs).toBeGreaterThan(0);
    expect(options.minSessionTimeoutMs).toBeLessThanOrEqual(options.maxSessionTimeoutMs);
  });
});

describe('serverOptionsFromZooCfg: defaults', () => {
  it('an empty file gives ZooKeeper\'s defaults', () => {
    expect(serverOptionsFromZooCfg('')).toEqual(defaultServerOptions());
    expect(serverOptionsFromZooCfg('# nothing\n\n')).toMatchObject({
      host: '0.0.0.0',
      port: 2181,
      tickTimeMs: 2000,
      minSessionTimeoutMs: 4000,
      maxSessionTimeoutMs: 40000,
      maxClientCnxns: 60,
      fourLetterWords: ['srvr'],
      extendedTypesEnabled: false,
      maxBufferBytes: 0xfffff,
      serverId: 1,
    });
  });

  it('session timeouts default to 2x and 20x the tickTime, wherever tickTime is written', () => {
    const o = serverOptionsFromZooCfg(cfg('maxSessionTimeout=5000', 'tickTime=100'));
    expect(o).toMatchObject({ tickTimeMs: 100, minSessionTimeoutMs: 200, maxSessionTimeoutMs: 5000 });
    expect(parseZooCfg('tickTime=100').options).toEqual({ tickTimeMs: 100 });
  });

  it('-1 means "the default" for the session timeouts, as in ZooKeeper', () => {
    const o = serverOptionsFromZooCfg(cfg('tickTime=1000', 'minSessionTimeout=-1', 'maxSessionTimeout=-1'));
    expect(o).toMatchObject({ minSessionTimeoutMs: 2000, maxSessionTimeoutMs: 20000 });
  });

  it('4lw whitelist: trimmed, * enables all, srvr always on, empty leaves srvr', () => {
    const words = (v: string): unknown => parseZooCfg(`4lw.commands.whitelist=${v}`).options.fourLetterWords;
    expect(words(' ruok ,mntr,, ')).toEqual(['mntr', 'ruok', 'srvr']);
    expect(words('*')).toBe('*');
    expect(words('ruok, *')).toBe('*');
    expect(words('')).toEqual(['srvr']);
  });

  it('booleans are case-insensitive', () => {
    expect(parseZooCfg('extendedTypesEnabled=TRUE').options.extendedTypesEnabled).toBe(true);
    expect(parseZooCfg('reconfigEnabled=False').options.reconfigEnabled).toBe(false);
  });

  it('system-property keys accept 0x hex as Java does', () => {
    expect(parseZooCfg('jute.maxbuffer=0x400000').options.maxBufferBytes).toBe(0x400000);
  });

  it('every spelling of the super digest', () => {
    for (const key of ['superDigest', 'DigestAuthenticationProvider.superDigest', 'zookeeper.DigestAuthenticationProvider.superDigest']) {
      expect(parseZooCfg(`${key}=super:abc=`).options.superDigest).toBe('super:abc=');
    }
  });

  it('clientPortAddress may be a bracketed IPv6 literal', () => {
    expect(parseZooCfg('clientPortAddress=[::1]').options.host).toBe('::1');
  });

  it('dataLogDir is returned beside the options', () => {
    expect(parseZooCfg('dataLogDir=/logs').dataLogDir).toBe('/logs');
  });

  it('raw holds every key, the last value winning', () => {
    const parsed = parseZooCfg(cfg('tickTime=1000', 'initLimit=5', 'tickTime=3000'));
    expect([...parsed.raw]).toEqual([['tickTime', '3000'], ['initLimit', '5']]);
    expect(parsed.options.tickTimeMs).toBe(3000);
  });
});

describe('parseZooCfg: warnings, never fatal', () => {
  it('one per unknown key, with file and line', () => {
    const parsed = parseZooCfg(cfg('tickTime=2000', 'fooBar=1', 'clientPort=2181', 'baz'), { source: 'zoo.cfg' });
    expect(parsed.warnings).toEqual(["zoo.cfg:2: unknown key 'fooBar' ignored", "zoo.cfg:4: unknown key 'baz' ignored"]);
    expect(parsed.raw.get('fooBar')).toBe('1');
  });

  it('hints at a wrongly cased key and at a zookeeper. prefix', () => {
    const parsed = parseZooCfg(cfg('ticktime=2000', 'zookeeper.snapCount=10'));
    expect(parsed.warnings).toEqual([
      "line 1: unknown key 'ticktime' ignored (did you mean 'tickTime'?)",
      "line 2: unknown key 'zookeeper.snapCount' ignored (zoo.cfg keys are written without the 'zookeeper.' prefix)",
    ]);
    expect(parsed.options.tickTimeMs).toBeUndefined();
  });

  it('commitLogCount and snapshotSizeFactor follow ZKDatabase: too small / too large / unparsable fall back with a warning', () => {
    const ok = parseZooCfg(cfg('commitLogCount=2000', 'snapshotSizeFactor=0.5'));
    expect(ok.warnings).toEqual([]);
    expect(ok.options).toMatchObject({ commitLogCount: 2000, snapshotSizeFactor: 0.5 });
    expect(parseZooCfg(cfg('snapshotSizeFactor=-1')).options.snapshotSizeFactor).toBe(-1); // disables DIFF from disk
    for (const [count, factor] of [['100', '2'], ['x', 'big']]) {
      const bad = parseZooCfg(cfg(`commitLogCount=${count}`, `snapshotSizeFactor=${factor}`), { source: 'z' });
      expect(bad.options.commitLogCount).toBeUndefined();
      expect(bad.options.snapshotSizeFactor).toBeUndefined();
      expect(bad.warnings).toEqual([
        `z:1: commitLogCount '${count}' is below 500 or not an integer; using 500`,
        `z:2: snapshotSizeFactor '${factor}' is above 1 or not a number; using 0.33`,
      ]);
    }
  });

  it('a key set twice with different values', () => {
    expect(parseZooCfg(cfg('clientPort=1', 'clientPort=1')).warnings).toEqual([]);
    expect(parseZooCfg(cfg('clientPort=1', 'clientPort=2'), { source: 'z' }).warnings).toEqual([
      'z:2: clientPort is set more than once (line 1 and line 2); the last value wins',
    ]);
  });

  it('unknown four-letter words are dropped', () => {
    const parsed = parseZooCfg('4lw.commands.whitelist=ruok,boom', { source: 'z' });
    expect(parsed.options.fourLetterWords).toEqual(['ruok', 'srvr']);
    expect(parsed.warnings).toEqual(["z:1: 4lw.commands.whitelist: unknown four-letter word 'boom' ignored"]);
  });

  it('recognised ZooKeeper keys are silent', () => {
    const parsed = parseZooCfg(
      cfg(
        'initLimit=10', 'syncLimit=5', 'autopurge.snapRetainCount=3', 'autopurge.purgeInterval=1',
        'admin.enableServer=false', 'standaloneEnabled=true', 'preAllocSize=65536', 'snapCount=100000',
        'forceSync=no', 'electionAlg=3', 'peerType=observer', 'quorumListenOnAllIPs=false',
        'metricsProvider.className=x', 'metricsProvider.exportJvmInfo=true', 'secureClientPort=2281',
        'ssl.keyStore.location=/k', 'group.1=1:2:3', 'weight.1=1', 'dynamicConfigFile=/x.dynamic',
        'localSessionsEnabled=true', 'skipACL=no', 'globalOutstandingLimit=1000', 'authProvider.1=x',
      ),
    );
    expect(parsed.warnings).toEqual([]);
  });
});

describe('parseZooCfg: server.N lines', () => {
  const servers = (...lines: string[]): QuorumServerSpec[] => parseZooCfg(cfg(...lines)).servers;

  it.each<[string, QuorumServerSpec]>([
    ['server.1=zk1:2888:3888', { sid: 1, host: 'zk1', quorumPort: 2888, electionPort: 3888, role: 'participant' }],
    ['server.2=zk2:2888:3888:observer', { sid: 2, host: 'zk2', quorumPort: 2888, electionPort: 3888, role: 'observer' }],
    ['server.3=zk3:2888:3888:PARTICIPANT', { sid: 3, host: 'zk3', quorumPort: 2888, electionPort: 3888, role: 'participant' }],
    ['server.4=zk4:2888:3888;2181', { sid: 4, host: 'zk4', quorumPort: 2888, electionPort: 3888, role: 'participant', clientPort: 2181 }],
    [
      'server.5=zk5:2888:3888:observer;10.0.0.5:2182',
      { sid: 5, host: 'zk5', quorumPort: 2888, electionPort: 3888, role: 'observer', clientHost: '10.0.0.5', clientPort: 2182 },
    ],
    [
      'server.6=[2001:db8::6]:2888:3888;[::]:2181',
      { sid: 6, host: '2001:db8::6', quorumPort: 2888, electionPort: 3888, role: 'participant', clientHost: '::', clientPort: 2181 },
    ],
    ['server.007 = 127.0.0.1 : 2888 : 3888', { sid: 7, host: '127.0.0.1', quorumPort: 2888, electionPort: 3888, role: 'participant' }],
  ])('%s', (line, expected) => {
    expect(servers(line)).toEqual([expected]);
  });

  it('sorted by sid, kept in raw, no warnings', () => {
    const parsed = parseZooCfg(cfg('server.3=c:1:2', 'server.1=a:1:2', 'server.2=b:1:2:observer'));
    expect(parsed.servers.map((s) => s.sid)).toEqual([1, 2, 3]);
    expect(parsed.raw.get('server.2')).toBe('b:1:2:observer');
    expect(parsed.warnings).toEqual([]);
  });

  it('multiAddress (a|b): the first address, with a warning', () => {
    const parsed = parseZooCfg('server.1=a:2888:3888|b:2889:3889');
    expect(parsed.servers).toEqual([{ sid: 1, host: 'a', quorumPort: 2888, electionPort: 3888, role: 'participant' }]);
    expect(parsed.warnings).toEqual(['line 1: server.1: multiple addresses are not supported; using the first']);
  });
});

describe('parseZooCfg: ConfigError naming the key and value', () => {
  it.each<[string, string, string]>([
    ['non-numeric port', 'clientPort=21a81', "z:1: clientPort '21a81' is not a port number (0-65535)"],
    ['port out of range', 'clientPort=65536', "z:1: clientPort '65536' is not a port number (0-65535)"],
    ['negative port', 'clientPort=-1', "z:1: clientPort '-1' is not a port number (0-65535)"],
    ['empty port', 'clientPort=', "z:1: clientPort '' is not a port number (0-65535)"],
    ['tickTime 0', 'tickTime=0', "z:1: tickTime '0' must be at least 1"],
    ['tickTime negative', 'tickTime=-2000', "z:1: tickTime '-2000' must be at least 1"],
    ['tickTime not a number', 'tickTime=2s', "z:1: tickTime '2s' is not an integer"],
    ['minSessionTimeout below -1', 'minSessionTimeout=-5', "z:1: minSessionTimeout '-5' must be at least -1"],
    ['maxClientCnxns negative', 'maxClientCnxns=-1', "z:1: maxClientCnxns '-1' must be at least 0"],
    ['bad boolean', 'extendedTypesEnabled=yes', "z:1: extendedTypesEnabled 'yes' is not a boolean (choose 'true' or 'false')"],
    ['jute.maxbuffer 0', 'jute.maxbuffer=0', "z:1: jute.maxbuffer '0' must be at least 1"],
    ['container interval', 'znode.container.checkIntervalMs=soon', "z:1: znode.container.checkIntervalMs 'soon' is not an integer"],
    ['empty dataDir', 'dataDir=', 'z:1: dataDir must not be empty'],
    ['bad clientPortAddress', 'clientPortAddress=a b', "z:1: clientPortAddress 'a b' is not a host name or address"],
    ['bad super digest', 'superDigest=nocolon', "z:1: superDigest 'nocolon' is not of the form 'user:base64digest'"],
    ['initLimit not a number (ZooKeeper refuses it too)', 'initLimit=ten', "z:1: initLimit 'ten' is not an integer"],
    ['standaloneEnabled not a boolean', 'standaloneEnabled=maybe', "z:1: standaloneEnabled 'maybe' is not a boolean (choose 'true' or 'false')"],
    ['electionAlg other than 3', 'electionAlg=0', "z:1: electionAlg '0' is not supported (only 3, fast leader election)"],
    ['peerType', 'peerType=leader', "z:1: peerType 'leader' is not a peer type (participant or observer)"],
  ])('%s', (_name, text, message) => {
    const err = configError(() => parseZooCfg(text, { source: 'z' }));
    expect(err.message).toBe(message);
    expect(err.line).toBe(1);
  });

  it('minSessionTimeout > maxSessionTimeout', () => {
    const err = configError(() => parseZooCfg(cfg('minSessionTimeout=5000', 'maxSessionTimeout=4000'), { source: 'z' }));
    expect(err.message).toBe('z:1: minSessionTimeout (5000 ms) must not be larger than maxSessionTimeout (4000 ms)');
    expect(err.key).toBe('minSessionTimeout');
  });

  it('minSessionTimeout > the default maximum (20 x tickTime)', () => {
    const err = configError(() => parseZooCfg(cfg('tickTime=100', 'minSessionTimeout=5000')));
    expect(err.message).toBe(
      'line 2: minSessionTimeout (5000 ms) must not be larger than maxSessionTimeout (2000 ms, the default for tickTime=100)',
    );
  });

  it.each<[string, string, string]>([
    ['too few parts', 'server.1=zk1:2888', "z:1: server.1 'zk1:2888' is not of the form host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]"],
    ['too many parts', 'server.1=zk1:1:2:observer:x', "z:1: server.1 'zk1:1:2:observer:x' is not of the form host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]"],
    ['two semicolons', 'server.1=zk1:1:2;3;4', "z:1: server.1 'zk1:1:2;3;4' is not of the form host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]"],
    ['bad port', 'server.1=zk1:28x8:3888', "z:1: server.1 '28x8' is not a port number (1-65535)"],
    ['port 0', 'server.1=zk1:0:3888', "z:1: server.1 '0' is not a port number (1-65535)"],
    ['port out of range', 'server.1=zk1:2888:70000', "z:1: server.1 '70000' is not a port number (1-65535)"],
    ['bad role', 'server.1=zk1:2888:3888:leader', "z:1: server.1 'leader' is not a peer type (participant or observer)"],
    ['empty host', 'server.1=:2888:3888', "z:1: server.1 ':2888:3888' has an empty host"],
    ['unclosed IPv6 bracket', 'server.1=[::1:2888:3888', "z:1: server.1 '[::1:2888:3888' is not of the form host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]"],
    ['bad client part', 'server.1=zk1:2888:3888;a:b:c', "z:1: server.1 'zk1:2888:3888;a:b:c' has a client part 'a:b:c' that is not [clientHost:]clientPort"],
    ['bad client port', 'server.1=zk1:2888:3888;host:port', "z:1: server.1 'port' is not a port number (1-65535)"],
    ['non-numeric sid', 'server.a=zk1:2888:3888', "z:1: 'server.a': the server id 'a' is not a non-negative integer"],
    ['negative sid', 'server.-1=zk1:2888:3888', "z:1: 'server.-1': the server id '-1' is not a non-negative integer"],
  ])('server.N: %s', (_name, text, message) => {
    expect(configError(() => parseZooCfg(text, { source: 'z' })).message).toBe(message);
  });

  it('duplicate sid, also when spelled differently', () => {
    expect(configError(() => parseZooCfg(cfg('server.1=a:1:2', 'server.1=b:1:2'), { source: 'z' })).message).toBe(
      'z:2: server.1: duplicate server id 1 (also given by server.1)',
    );
    expect(configError(() => parseZooCfg(cfg('server.1=a:1:2', 'server.01=b:1:2'))).message).toBe(
      'line 2: server.01: duplicate server id 1 (also given by server.1)',
    );
  });

  it('errors carry key and value', () => {
    const err = configError(() => parseZooCfg('clientPort=abc'));
    expect([err.key, err.value, err.line, err.name]).toEqual(['clientPort', 'abc', 1, 'ConfigError']);
  });
});

describe('applyMyid (ZooKeeper setupClientPort)', () => {
  const ensemble = cfg('server.1=zk1:2888:3888;2181', 'server.2=zk2:2888:3888;127.0.0.1:2182', 'server.3=zk3:2888:3888');

  it('takes the client address from its own server line', () => {
    expect(applyMyid(parseZooCfg(ensemble), 1).options).toEqual({ serverId: 1, port: 2181, host: '0.0.0.0' });
    expect(applyMyid(parseZooCfg(ensemble), 2).options).toEqual({ serverId: 2, port: 2182, host: '127.0.0.1' });
  });

  it('keeps clientPort when its line has no client part', () => {
    expect(applyMyid(parseZooCfg(cfg('clientPort=2190', ensemble)), 3).options).toEqual({ serverId: 3, port: 2190 });
  });

  it('agreeing static settings are fine, disagreeing ones are an error', () => {
    expect(applyMyid(parseZooCfg(cfg('clientPort=2181', 'clientPortAddress=0.0.0.0', ensemble)), 1).options.port).toBe(2181);
    expect(configError(() => applyMyid(parseZooCfg(cfg('clientPort=2999', ensemble)), 1, 'z')).message).toBe(
      "z: clientPortAddress/clientPort 0.0.0.0:2999 disagrees with server.1's client address 0.0.0.0:2181",
    );
    expect(() => applyMyid(parseZooCfg(cfg('clientPortAddress=10.0.0.9', ensemble)), 2)).toThrow(ConfigError);
  });
});

describe('validateServerOptions', () => {
  it('accepts the defaults', () => {
    expect(() => validateServerOptions(defaultServerOptions())).not.toThrow();
  });

  it.each<[string, Partial<ServerOptions>, string]>([
    ['min > max', { minSessionTimeoutMs: 9, maxSessionTimeoutMs: 8 }, 'minSessionTimeout (9 ms) must not be larger than maxSessionTimeout (8 ms)'],
    ['port', { port: 70000 }, "clientPort '70000' must be an integer from 0 to 65535"],
    ['tickTime', { tickTimeMs: 0 }, "tickTime '0' must be an integer >= 1"],
    ['server id with extended types', { serverId: 255, extendedTypesEnabled: true }, "myid '255' must be at most 254 when extendedTypesEnabled is true"],
    ['four-letter word', { fourLetterWords: ['nope'] }, "4lw.commands.whitelist 'nope' is not a four-letter word"],
  ])('%s', (_name, overrides, message) => {
    expect(configError(() => validateServerOptions(defaultServerOptions(overrides))).message).toBe(message);
  });
});
