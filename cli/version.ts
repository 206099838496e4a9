// The package version for `zabkit --version`: the nearest package.json named "zabkit" above
// this file, which works from the sources (cli/) and from the build (dist/cli/).
// Counterpart: org.apache.zookeeper.Version.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'zabkit' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no (readable) package.json here: keep climbing
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
