// The apt-get installer the bench and the tests share, and the Debian Apache ZooKeeper check.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ensureDebianPackages } from '../../../bench/apt-get.js';
import { missingZookeeperFiles, ZOOKEEPER_CLASSPATH, ZOOKEEPER_REQUIRED_FILES } from '../../../bench/debian-zookeeper.js';

describe('ensureDebianPackages', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('does nothing when nothing is missing', async () => {
    const missing = vi.fn(() => []);
    await expect(ensureDebianPackages(['no-such-package'], missing)).resolves.toBeUndefined();
    expect(missing).toHaveBeenCalledTimes(1);
  });

  it('tells a non-root user what is missing and the apt-get command to run', async () => {
    vi.spyOn(process as { getuid(): number }, 'getuid').mockReturnValue(1000);
    const run = ensureDebianPackages(['zookeeper', 'redis-server'], () => ['/usr/share/java/zookeeper.jar']);
    await expect(run).rejects.toThrow('Missing: /usr/share/java/zookeeper.jar');
    await expect(run).rejects.toThrow('As root, run: apt-get update && apt-get install -y zookeeper redis-server');
  });
});

describe('Debian Apache ZooKeeper', () => {
  it('lists exactly the required files that are absent', () => {
    // the test run's global setup installed the packages: nothing is missing here
    expect(missingZookeeperFiles()).toEqual([]);
    expect(ZOOKEEPER_REQUIRED_FILES).toEqual(expect.arrayContaining(ZOOKEEPER_CLASSPATH.split(':')));
  });
});
