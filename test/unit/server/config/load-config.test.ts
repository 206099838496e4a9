// Reading zoo.cfg and dataDir/myid from disk (temporary directories), and the errors for
// missing, unreadable or malformed files. Counterpart: QuorumPeerConfig.parse / setupMyId.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../server/config/config-error.js';
import { loadZooCfg, readMyid } from '../../../../server/config/load-config.js';
import { configError } from './expect-config-error.js';

const cfg = (...lines: string[]): string => lines.join('\n');


describe('loadZooCfg / readMyid (files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zabkit-cfg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file and the myid in its dataDir', () => {
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'myid'), '2\n');
    const path = join(dir, 'zoo.cfg');
    writeFileSync(path, cfg(`dataDir=${dataDir}`, 'server.1=a:1:2;2181', 'server.2=b:1:2;2182', 'oops=1'));
    const loaded = loadZooCfg(path);
    expect(loaded.myid).toBe(2);
    expect(loaded.options).toMatchObject({ serverId: 2, port: 2182, dataDir });
    expect(loaded.path).toBe(path);
    expect(loaded.warnings).toEqual([`${path}:4: unknown key 'oops' ignored`]);
  });

  it('no myid file, no dataDir: no server id', () => {
    expect(readMyid(join(dir, 'missing'))).toBeUndefined();
    const path = join(dir, 'plain.cfg');
    writeFileSync(path, 'tickTime=1000\n');
    expect(loadZooCfg(path).myid).toBeUndefined();
  });

  it('a missing or unreadable config file is a clear ConfigError', () => {
    const missing = join(dir, 'nope.cfg');
    expect(configError(() => loadZooCfg(missing)).message).toBe(`cannot read config file ${missing}: no such file`);
    expect(configError(() => loadZooCfg(dir)).message).toBe(`cannot read config file ${dir}: it is a directory`);
  });

  it('errors in the file name it', () => {
    const path = join(dir, 'bad.cfg');
    writeFileSync(path, '\n\nclientPort=x\n');
    expect(configError(() => loadZooCfg(path)).message).toBe(`${path}:3: clientPort 'x' is not a port number (0-65535)`);
  });

  it('a myid that is not a number, or empty', () => {
    const bad = join(dir, 'badid');
    mkdirSync(bad);
    writeFileSync(join(bad, 'myid'), 'replace this text with the id\n');
    expect(configError(() => readMyid(bad)).message).toBe(
      `${join(bad, 'myid')}: server id 'replace this text with the id' is not a non-negative integer`,
    );
    writeFileSync(join(bad, 'myid'), '\n');
    expect(configError(() => readMyid(bad)).message).toBe(`${join(bad, 'myid')} is empty; it should hold this server's id`);
    writeFileSync(join(bad, 'myid'), ' 7 \nignored\n');
    expect(readMyid(bad)).toBe(7);
  });
});
