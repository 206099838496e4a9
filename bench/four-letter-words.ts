// Four-letter words over the client port, as the bench uses them: `srvr` to wait for a server to
// serve (and see its Mode), `srst` to reset server stats before a measured window, `mntr` to read
// metrics after it (zabkit's zk_event_loop_lag_* among them).

import { connect } from 'node:net';

/** Sends `word` and resolves with everything the server wrote before closing. */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = '';
    const timer = setTimeout(() => socket.destroy(new Error(`${word} to ${host}:${port}: no reply within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.end(word));
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

/** `mntr` output ("zk_key\tvalue" lines) → key (without zk_) → value. */
export function parseMntr(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (!line.startsWith('zk_') || tab < 0) continue;
    out.set(line.slice(3, tab), line.slice(tab + 1).trim());
  }
  return out;
}

/** The Mode line of `srvr` ("standalone", "leader", "follower", "observer"), if any. */
export function parseMode(srvr: string): string | undefined {
  return /^Mode: (\S+)/m.exec(srvr)?.[1];
}

/** Polls `srvr` until a Mode line appears; `alive()` false aborts early (the process died). */
export async function waitServing(
  host: string,
  port: number,
  timeoutMs: number,
  alive: () => boolean,
  describe: () => string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`server on port ${port} exited during startup\n${describe()}`);
    try {
      const mode = parseMode(await fourLetterWord(host, port, 'srvr', 1000));
      if (mode !== undefined) return mode;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server on port ${port} not serving after ${timeoutMs} ms (${last})\n${describe()}`);
}
