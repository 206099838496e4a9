// Reads a zoo.cfg from disk and, when dataDir holds a `myid` file, the server id — the only
// file access of server/config. Failures become ConfigError with the path in the message.
// Counterpart: QuorumPeerConfig.parse (file loading) and setupMyId.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { applyMyid, parseZooCfg, type ZooCfg } from './zoo-cfg.js';

export interface LoadedZooCfg extends ZooCfg {
  /** The path the file was read from, as given. */
  path: string;
  /** The id from dataDir/myid, when that file exists (already in options.serverId). */
  myid: number | undefined;
}

/** Read and parse a zoo.cfg (UTF-8); then dataDir/myid if present. Throws ConfigError. */
export function loadZooCfg(path: string): LoadedZooCfg {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${describeFsError(err)}`, { key: 'config', value: path });
  }
  const cfg = parseZooCfg(text, { source: path });
  const dataDir = cfg.options.dataDir;
  const myid = dataDir === undefined ? undefined : readMyid(dataDir);
  const resolved = myid === undefined ? cfg : applyMyid(cfg, myid, path);
  return { ...resolved, path, myid };
}

/**
 * The server id in `<dataDir>/myid` (first line, a non-negative integer), or undefined when
 * there is no such file — a standalone server does not need one. Throws ConfigError when the
 * file exists but cannot be read or does not hold a number.
 */
export function readMyid(dataDir: string): number | undefined {
  const file = join(dataDir, 'myid');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Like ZooKeeper (myIdFile.isFile()), anything that is not a readable-or-not regular file
    // means "no myid".
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw new ConfigError(`cannot read ${file}: ${describeFsError(err)}`, { key: 'myid', value: file });
  }
  const first = (text.split(/\r\n|\r|\n/)[0] ?? '').trim();
  if (first === '') {
    throw new ConfigError(`${file} is empty; it should hold this server's id`, { key: 'myid', value: '' });
  }
  const id = Number(first);
  if (!/^\d+$/.test(first) || !Number.isSafeInteger(id)) {
    throw new ConfigError(`${file}: server id '${first}' is not a non-negative integer`, { key: 'myid', value: first });
  }
  return id;
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a parent of it is not a directory';
    default:
      return e.message ?? String(err);
  }
}
