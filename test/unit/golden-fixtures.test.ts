// Integrity checks for the golden wire captures in test/fixtures/golden/ (made by
// scripts/capture-golden.ts): schema, length prefixes, handshake first, closeSession last.
// These guard the fixtures themselves; codec tests elsewhere replay their bytes.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json'));

interface Golden {
  client: string;
  zookeeperVersion: string;
  description: string;
  frames: Array<{ conn: number; dir: 'c2s' | 's2c'; hex: string; note?: string }>;
}

describe('golden fixtures', () => {
  it('exist', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });

  it.each(FILES)('%s is well formed', (file) => {
    const doc = JSON.parse(readFileSync(`${DIR}${file}`, 'utf8')) as Golden;
    expect(doc.client).toBeTruthy();
    expect(doc.zookeeperVersion).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.description).toBeTruthy();
    const firstOfConn = new Set<string>();
    for (const frame of doc.frames) {
      expect(['c2s', 's2c']).toContain(frame.dir);
      expect(frame.hex).toMatch(/^([0-9a-f]{2})+$/);
      const bytes = Buffer.from(frame.hex, 'hex');
      expect(bytes.readInt32BE(0)).toBe(bytes.length - 4);
      const key = `${frame.conn}/${frame.dir}`;
      if (!firstOfConn.has(key)) {
        firstOfConn.add(key);
        // ConnectRequest is 45 bytes, ConnectResponse 37 (both with the readOnly byte).
        expect(bytes.length - 4).toBe(frame.dir === 'c2s' ? 45 : 37);
      }
    }
    const lastRequest = doc.frames.filter((f) => f.dir === 'c2s').at(-1);
    expect(lastRequest && Buffer.from(lastRequest.hex, 'hex').readInt32BE(8)).toBe(-11); // closeSession
  });
});
